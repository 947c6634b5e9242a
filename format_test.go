package mlexp_test

import (
	"math"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"},
		{45 * time.Second, "45 s"},
		{59*time.Second + 600*time.Millisecond, "1 min"},
		{7*time.Minute + 50*time.Second, "8 min"},
		{8 * time.Minute, "8 min"},
		{59*time.Minute + 40*time.Second, "1h"},
		{3*time.Hour + 42*time.Minute, "3h 42m"},
		{2*time.Hour + 58*time.Minute + 10*time.Second, "2h 58m"},
		{23*time.Hour + 59*time.Minute + 50*time.Second, "1d"},
		{51 * time.Hour, "2d 3h"},
		{-time.Second, "—"},
	}
	for _, c := range cases {
		if got := mlexp.FormatDuration(c.d); got != c.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestTimeAgo(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		ago  time.Duration
		want string
	}{
		{0, "just now"},
		{30 * time.Second, "just now"},
		{-30 * time.Second, "just now"}, // a little clock skew
		{-time.Hour, "in the future"},
		{time.Minute, "1 min ago"},
		{5 * time.Minute, "5 min ago"},
		{time.Hour, "1 hour ago"},
		{2*time.Hour + 59*time.Minute, "2 hours ago"},
		{24 * time.Hour, "1 day ago"},
		{3 * 24 * time.Hour, "3 days ago"},
		{65 * 24 * time.Hour, "2 months ago"},
		{400 * 24 * time.Hour, "1 year ago"},
	}
	for _, c := range cases {
		if got := mlexp.TimeAgo(now.Add(-c.ago), now); got != c.want {
			t.Errorf("TimeAgo(now-%v) = %q, want %q", c.ago, got, c.want)
		}
	}
	if got := mlexp.TimeAgo(time.Time{}, now); got != "—" {
		t.Errorf("TimeAgo(zero) = %q", got)
	}
}

func TestFormatPercentMetricAndCost(t *testing.T) {
	cases := []struct{ got, want string }{
		{mlexp.FormatPercent(0.473, 1), "47.3%"},
		{mlexp.FormatPercent(0.4625, 2), "46.25%"},
		{mlexp.FormatPercent(1, 0), "100%"},
		{mlexp.FormatPercent(math.NaN(), 1), "—"},
		{mlexp.FormatMetric("recall_at_100", 0.473), "47.3%"},
		{mlexp.FormatMetric("recall_at_10", 0.182), "18.2%"},
		{mlexp.FormatMetric("loss", 0.38), "0.38"},
		{mlexp.FormatMetric("loss", 0.123456), "0.123"},
		{mlexp.FormatMetric("loss", 12.345), "12.345"},
		{mlexp.FormatMetric("mse", 12.345), "12.3"},
		{mlexp.FormatMetric("mse", 1234.5), "1234"},
		{mlexp.FormatMetric("loss", 0), "0"},
		{mlexp.FormatMetric("loss", math.NaN()), "—"},
		{mlexp.FormatMetric("recall_at_100", math.Inf(1)), "—"},
		{mlexp.FormatMetric("cost_usd", 38.2), "$38.20"},
		{mlexp.FormatMetric("gpu_cost_usd", 1.5), "$1.50"},
		{mlexp.FormatCost(new(1.42)), "$1.42"},
		{mlexp.FormatCost(new(38.5)), "$38.50"},
		{mlexp.FormatCost(new(1234567.891)), "$1,234,567.89"},
		{mlexp.FormatCost(new(0.0)), "$0.00"},
		{mlexp.FormatCost(nil), "—"},
		{mlexp.FormatCost(new(math.NaN())), "—"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: %q, want %q", i, c.got, c.want)
		}
	}
}

// TestFormatMetricDiff: a difference has the precision of the values it is between, by
// the metric-spec table: no 4-decimal loss diffs, cost in dollars, fractions in points.
func TestFormatMetricDiff(t *testing.T) {
	cases := []struct {
		metric string
		d      float64
		want   string
	}{
		{"loss", -0.06, "-0.06"},
		{"loss", 0.0123, "+0.012"},
		{"loss", 0.00029, "+0.00029"}, // too small for 3 decimals: not "+0"
		{"loss", 0, "0"},
		{"recall_at_100", 1.23, "+1.2 pp"},
		{"recall_at_100", -0.04, "-0.04 pp"},
		{"cost_usd", 30.678, "+$30.68"},
		{"cost_usd", -2, "-$2.00"},
		{"mse", 123.456, "+123"},
		{"loss", math.NaN(), "—"},
	}
	for _, c := range cases {
		if got := mlexp.FormatMetricDiff(c.metric, c.d); got != c.want {
			t.Errorf("FormatMetricDiff(%s, %v) = %q, want %q", c.metric, c.d, got, c.want)
		}
	}
}

func TestConfigSummary(t *testing.T) {
	cases := []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"user_id_embedding_dim": "64", "product_id_embedding_dim": "64", "cross_features": "category_x_subcategory,user_id_x_city"}, "user:64d prod:64d +2 crosses"},
		{map[string]string{"user_id_embedding_dim": "64", "product_id_embedding_dim": "32", "cross_features": "category_x_subcategory"}, "user:64d prod:32d +1 cross"},
		{map[string]string{"user_id_embedding_dim": "128", "product_id_embedding_dim": "64", "cross_features": "none"}, "user:128d prod:64d"},
		{map[string]string{"user_id_embedding_dim": "256"}, "user:256d"},
		{nil, ""},
	}
	for _, c := range cases {
		if got := mlexp.ConfigSummary(mlexp.Run{Params: mlexp.NewParams(c.params)}); got != c.want {
			t.Errorf("ConfigSummary(%v) = %q, want %q", c.params, got, c.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 45000: "45,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := mlexp.FormatCount(n); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", n, got, want)
		}
	}
}
