package main

import (
	"net"
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp/web"
)

// parseAllowedHosts checks --allowed-hosts, a comma-separated list of host names or
// name:port pairs, and returns it cleaned ("" when unset).
func parseAllowedHosts(s setting) (string, error) {
	var hosts []string
	for _, h := range strings.Split(s.value, ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		name, port, err := net.SplitHostPort(h)
		if err != nil {
			name, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), ""
		}
		if n, err := strconv.Atoi(port); port != "" && (err != nil || n < 1 || n > 65535) {
			return "", s.errorf("%q has a port that is not a number from 1 to 65535", h)
		}
		if name == "" || strings.ContainsAny(name, "/@?# \t*") || strings.Contains(h, "://") {
			return "", s.errorf("%q is not a host name or name:port such as mlexp.example.com or mlexp.example.com:8080", h)
		}
		hosts = append(hosts, h)
	}
	return strings.Join(hosts, ","), nil
}

// hostsToServe are the Host headers that the server listening at addr answers: with no
// auth, the loopback names (on any port: a port-forward changes it), whatever else is allowed, so that no other site
// can reach it through DNS rebinding; with auth, behind a proxy that has the public name,
// only those of --allowed-hosts (none: any Host).
func hostsToServe(cfg serveConfig, addr net.Addr) []string {
	var hosts []string
	if cfg.allowedHosts != "" {
		hosts = strings.Split(cfg.allowedHosts, ",")
	}
	if cfg.auth.Mode == web.AuthNone {
		hosts = append(web.LoopbackHosts(), hosts...)
	}
	return hosts
}
