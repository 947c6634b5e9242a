package terminal

import "testing"

func TestWidths(t *testing.T) {
	for _, tc := range []struct {
		s string
		w int
	}{
		{"abc", 3}, {"★47.3%", 6}, {"●", 1}, {"█████", 5}, {"cat × subcat", 12}, {"💡 x", 4}, {"⚠️", 1},
		{"\x1b[1;38;5;220m★\x1b[0m", 1}, {"日本", 4}, {"é", 1}, {"e\u0301", 1},
	} {
		if got := StringWidth(tc.s); got != tc.w {
			t.Errorf("StringWidth(%q) = %d, want %d", tc.s, got, tc.w)
		}
	}
	if got := termTruncate("config-042 Quick Test #3", 10); got != "config-04…" || StringWidth(got) != 10 {
		t.Errorf("termTruncate = %q", got)
	}
	if got := termTruncate("\x1b[1m★★★★\x1b[0m", 3); got != "\x1b[1m★★…\x1b[0m" {
		t.Errorf("termTruncate styled = %q", got)
	}
	if got := termFit("★1", 5, termCenter); got != " ★1  " {
		t.Errorf("termFit = %q", got)
	}
}
