package web

import (
	"net"
	"net/http"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// codeMisdirected is the error code of a request sent to a host name mlexp does not serve
// (421 Misdirected Request).
const codeMisdirected = "misdirected_request"

// LoopbackHosts are the Host names of a server reached on this machine: 127.0.0.1, localhost
// and [::1], on any port, so that a port-forward (ssh -L, kubectl port-forward) reaches it
// too. A DNS-rebinding page always sends its own name, never one of these.
func LoopbackHosts() []string {
	return []string{"127.0.0.1", "localhost", "[::1]"}
}

// hostRule is an allowed Host: a name and a port, or any port when port is "".
type hostRule struct{ name, port string }

// hostRules parses allowed hosts, "name" or "name:port" ("[::1]:8080" for IPv6).
func hostRules(allowed []string) []hostRule {
	rules := make([]hostRule, 0, len(allowed))
	for _, h := range allowed {
		if h = strings.TrimSpace(h); h != "" {
			name, port := splitHost(h)
			rules = append(rules, hostRule{name, port})
		}
	}
	return rules
}

// splitHost splits a Host header into its lowercased name, without brackets, and its port
// ("" when it has none).
func splitHost(h string) (name, port string) {
	if n, p, err := net.SplitHostPort(h); err == nil {
		return strings.ToLower(n), p
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")), ""
}

// hostAllowed says whether a request to Host h is served. A Host without a port is one on
// port 80 (or 443 behind a TLS proxy).
func (s *server) hostAllowed(h string) bool {
	name, port := splitHost(h)
	for _, r := range s.hosts {
		if r.name != name {
			continue
		}
		if r.port == "" || r.port == port || (port == "" && (r.port == "80" || r.port == "443")) {
			return true
		}
	}
	return false
}

// refuseForeignHosts answers 421 to a request whose Host is not one this server serves,
// when the allowed hosts are set. A page of another site whose name the attacker points at
// 127.0.0.1 (DNS rebinding) is same-origin to the browser, so its requests carry its own
// name as Host; this is what tells them apart. Probes (/healthz, /readyz, /metrics) answer
// whatever the Host: orchestrators ask by the pod's address, and they show nothing private.
func (s *server) refuseForeignHosts(next http.Handler) http.Handler {
	if len(s.hosts) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			next.ServeHTTP(w, r)
			return
		}
		if !s.hostAllowed(r.Host) {
			s.respondError(w, r, mlexp.Errorf(codeMisdirected,
				"mlexp does not serve the host name this request was sent to: open it at the address it listens on, or add the name to --allowed-hosts (MLEXP_ALLOWED_HOSTS)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
