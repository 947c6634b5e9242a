package chart

import (
	"slices"
	"testing"
)

func TestDistinctLabels(t *testing.T) {
	short := func(s string) bool { return len(s) <= 4 }
	for _, c := range []struct {
		in, want []string
		prefix   string
	}{
		{[]string{"config-011", "config-012", "config-101"}, []string{"011", "012", "101"}, "config-"},
		{[]string{"config-011", "config-012"}, []string{"011", "012"}, "config-"},
		{[]string{"ab", "cd"}, []string{"ab", "cd"}, ""},                     // they fit
		{[]string{"configA", "configB"}, []string{"configA", "configB"}, ""}, // no separator
		{[]string{"user:64 prod:32", "user:64 prod:64"}, []string{"prod:32", "prod:64"}, "user:64 "},
		{[]string{"config-", "config-1"}, []string{"config-", "config-1"}, ""}, // one would be empty
		{[]string{"config-011"}, []string{"config-011"}, ""},                   // a single label
	} {
		got, prefix := distinctLabels(c.in, short)
		if !slices.Equal(got, c.want) || prefix != c.prefix {
			t.Errorf("distinctLabels(%q) = %q, %q; want %q, %q", c.in, got, prefix, c.want, c.prefix)
		}
	}
}
