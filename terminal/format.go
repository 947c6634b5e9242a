package terminal

import (
	"strings"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// termAgo is TimeAgo written short, as the mock-up's table does: "2h ago", "1d ago".
func termAgo(t, now time.Time) string {
	s := mlexp.TimeAgo(t, now)
	for _, r := range [][2]string{{" min ago", "m ago"}, {" hours ago", "h ago"}, {" hour ago", "h ago"}, {" days ago", "d ago"},
		{" day ago", "d ago"}, {" months ago", "mo ago"}, {" month ago", "mo ago"}, {" years ago", "y ago"}, {" year ago", "y ago"}} {
		if v, ok := strings.CutSuffix(s, r[0]); ok {
			return v + r[1]
		}
	}
	return s
}

// termSplitName splits "config-042 Quick Test #3" into "config-042" and "Quick Test #3"
// when the run is named after its config; otherwise rest is "".
func termSplitName(name, config string) (head, rest string) {
	if config != "" {
		if r, ok := strings.CutPrefix(name, config+" "); ok && r != "" {
			return config, r
		}
	}
	return name, ""
}
