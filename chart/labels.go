package chart

import "strings"

// labelPrefixSeps are the characters a shared prefix of axis labels may end with: the
// prefix is cut after its last space, else after the last of them, so that "config-011", "config-012" keep "011", "012".
const labelPrefixSeps = "-_/:. "

// distinctLabels shortens the labels of an axis that do not all fit to what tells them
// apart: a prefix every label shares, up to a separator, is cut off and returned ("config-"),
// so that the axis can name it once. Labels that all fit (fits), fewer than two labels, or
// labels that share no such prefix come back as they are, with "".
func distinctLabels(labels []string, fits func(string) bool) ([]string, string) {
	if len(labels) < 2 {
		return labels, ""
	}
	all := true
	for _, l := range labels {
		all = all && fits(l)
	}
	if all {
		return labels, ""
	}
	prefix := labels[0]
	for _, l := range labels[1:] {
		n := 0
		for n < len(prefix) && n < len(l) && prefix[n] == l[n] {
			n++
		}
		prefix = prefix[:n]
	}
	cut := strings.LastIndexByte(prefix, ' ') // words stay whole: "user:64 " of "user:64 prod:32"
	if cut < 0 {
		cut = strings.LastIndexAny(prefix, labelPrefixSeps)
	}
	if cut < 0 {
		return labels, ""
	}
	prefix = prefix[:cut+1]
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = l[len(prefix):]
		if out[i] == "" {
			return labels, ""
		}
	}
	return out, prefix
}
