package mlexp

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// NoValue is what every formatter writes for a value that is missing, NaN or infinite, so
// that the terminal, HTML and API agree on how "nothing" looks.
const NoValue = "—"

// FormatDuration writes d the way the dashboard does: "45 s", "8 min", "3h 42m", "2d 3h".
// Durations are rounded to the unit shown; a negative duration is NoValue.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return NoValue
	}
	if s := int64(d.Round(time.Second) / time.Second); s < 60 {
		return strconv.FormatInt(s, 10) + " s"
	}
	m := int64(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return strconv.FormatInt(m, 10) + " min"
	}
	h, m := m/60, m%60
	if h < 24 {
		return twoUnits(h, "h", m, "m")
	}
	return twoUnits(h/24, "d", h%24, "h")
}

// twoUnits writes "3h 42m", leaving out a zero second part: "3h".
func twoUnits(a int64, ua string, b int64, ub string) string {
	s := strconv.FormatInt(a, 10) + ua
	if b != 0 {
		s += " " + strconv.FormatInt(b, 10) + ub
	}
	return s
}

// TimeAgo writes how long before now t was: "just now", "5 min ago", "2 hours ago",
// "1 day ago", "3 months ago". A time more than a minute after now (clock skew between
// machines) is "in the future"; a zero time is NoValue.
func TimeAgo(t, now time.Time) string {
	if t.IsZero() {
		return NoValue
	}
	d := now.Sub(t)
	switch {
	case d < -time.Minute:
		return "in the future"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return agoUnit(int64(d/time.Minute), "min", "min")
	case d < 24*time.Hour:
		return agoUnit(int64(d/time.Hour), "hour", "hours")
	case d < 30*24*time.Hour:
		return agoUnit(int64(d/(24*time.Hour)), "day", "days")
	case d < 365*24*time.Hour:
		return agoUnit(int64(d/(30*24*time.Hour)), "month", "months")
	}
	return agoUnit(int64(d/(365*24*time.Hour)), "year", "years")
}

func agoUnit(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one + " ago"
	}
	return strconv.FormatInt(n, 10) + " " + many + " ago"
}

// FormatPercent writes the fraction v as a percentage with digits decimals: 0.473 → "47.3%".
func FormatPercent(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NoValue
	}
	return strconv.FormatFloat(v*100, 'f', max(digits, 0), 64) + "%"
}

// FormatMetric writes a value of metric for people, by its row of the metric-spec table
// (MetricSpecOf), the one place that decides units and precision: fractions such as
// Recall@k as a percentage ("47.3%"), costs in dollars ("$38.22"), plain metrics with
// Decimals to at most that many, trailing zeros dropped ("0.382", "0.38" for loss), anything else with three significant digits ("12.3",
// "1234"), never in exponent form above 1e-4.
func FormatMetric(metric string, v float64) string {
	s := MetricSpecOf(metric)
	switch {
	case !IsFinite(v):
		return NoValue
	case s.Fraction:
		return FormatPercent(v, s.Decimals)
	case s.Unit == UnitUSDValue:
		return FormatCost(&v)
	case s.Decimals > 0:
		return trimDecimals(strconv.FormatFloat(v, 'f', s.Decimals, 64))
	case math.Abs(v) >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// FormatMetricDiff writes a signed difference d of metric with the precision of its
// values: "+1.2 pp" for a fraction (d in percentage points), "+$30.68" for a cost,
// "-0.060" for loss, three significant digits otherwise. A difference too small for the
// precision keeps two significant digits, so that it does not read as zero.
func FormatMetricDiff(metric string, d float64) string {
	if !IsFinite(d) {
		return NoValue
	}
	s := MetricSpecOf(metric)
	sign, a := "", math.Abs(d)
	switch {
	case d > 0:
		sign = "+"
	case d < 0:
		sign = "-"
	}
	fixed := func(decimals int) string {
		t := strconv.FormatFloat(a, 'f', decimals, 64)
		if a != 0 && strings.Trim(t, "0.") == "" {
			t = strconv.FormatFloat(a, 'g', 2, 64)
		}
		return t
	}
	switch {
	case s.Fraction:
		return sign + fixed(s.Decimals) + " pp"
	case s.Unit == UnitUSDValue:
		return sign + FormatCost(&a)
	case s.Decimals > 0:
		return sign + trimDecimals(fixed(s.Decimals))
	}
	return sign + strconv.FormatFloat(a, 'g', 3, 64)
}

// trimDecimals drops the trailing zeros of a decimal number: "0.380" → "0.38", "2.000" → "2".
func trimDecimals(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// FormatCost writes a cost in US dollars with cents and thousands separators: "$1.42",
// "$1,250.00"; an unknown (nil or NaN) cost is NoValue.
func FormatCost(usd *float64) string {
	if usd == nil || math.IsNaN(*usd) || math.IsInf(*usd, 0) {
		return NoValue
	}
	s := strconv.FormatFloat(math.Abs(*usd), 'f', 2, 64)
	whole, cents, _ := strings.Cut(s, ".")
	var b strings.Builder
	if *usd < 0 && s != "0.00" {
		b.WriteByte('-')
	}
	b.WriteByte('$')
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + "." + cents
}

// ConfigSummary is a one-line summary of the run's feature configuration, as on the
// dashboard's recent-run cards: "user:64d prod:64d +2 crosses". Parts the run does not
// have are left out, so a run without any of them gives "".
func ConfigSummary(r Run) string {
	var parts []string
	for _, p := range []struct{ param, short string }{
		{"user_id_embedding_dim", "user"},
		{"product_id_embedding_dim", "prod"},
	} {
		if v := strings.TrimSpace(r.Params.Get(p.param)); v != "" {
			parts = append(parts, p.short+":"+v+"d")
		}
	}
	if v, ok := r.Params.Lookup("cross_features"); ok {
		switch n := len(crossList(v)); n {
		case 0:
		case 1:
			parts = append(parts, "+1 cross")
		default:
			parts = append(parts, "+"+strconv.Itoa(n)+" crosses")
		}
	}
	return strings.Join(parts, " ")
}

// FormatCount writes n with thousands separators: 45,000.
func FormatCount(n int) string {
	s := strconv.Itoa(n)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
