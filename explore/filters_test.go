package explore

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/sample"
)

func TestCellFilter(t *testing.T) {
	runs := sample.AxisRuns()
	for _, c := range []struct {
		query string
		want  []string
		err   string
	}{
		{"", []string{"a", "b", "c", "d"}, ""},
		{"x_axis=embedding_dims&x=64/64", []string{"b", "c"}, ""},
		// Crosses in another order are the same cell.
		{"x_axis=embedding_dims&x=64/64&y_axis=cross_features&y=category_x_subcategory,city_x_user_id", []string{"b", "c"}, ""},
		{"x_axis=embedding_dims&x=128/64&y_axis=cross_features&y=?", []string{"d"}, ""},
		{"y_axis=cross_features&y=none", []string{"a"}, ""},
		{"x=64/64", nil, "x_axis"},
		{"x_axis=bogus&x=1", nil, "x_axis"},
	} {
		q, _ := url.ParseQuery(c.query)
		f := CellOf(q)
		err := f.Check(runs)
		if c.err != "" {
			if mlexp.ErrorCode(err) != mlexp.EINVALID || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one naming %s", c.query, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.query, err)
		}
		if got := ids(f.Apply(runs)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: runs %v, want %v", c.query, got, c.want)
		}
	}
}

func TestRanges(t *testing.T) {
	runs := sample.AxisRuns()
	for _, c := range []struct {
		query string
		want  []string
		err   string
	}{
		{"range.user_id_embedding_dim=", []string{"a", "b", "c", "d"}, ""},
		{"range.user_id_embedding_dim=64:", []string{"b", "c", "d"}, ""},
		{"range.user_id_embedding_dim=:64", []string{"a", "b", "c"}, ""},
		{"range.user_id_embedding_dim=33:100&range.recall_at_100=46.5%25:", []string{"b"}, ""},
		{"range.recall_at_100=0.3:0.465", []string{"a", "c"}, ""}, // d has no value
		{"range.num_crosses=1:2", []string{"b", "c"}, ""},
		{"range.user_id_embedding_dim=64", nil, "not a range"},
		{"range.user_id_embedding_dim=a:b", nil, "not a number"},
		{"range.user_id_embedding_dim=9:1", nil, "above"},
		{"range.nope=1:2", nil, "unknown axis"},
	} {
		q, _ := url.ParseQuery(c.query)
		rgs, err := RangesOf(q, runs, "recall_at_100")
		if c.err != "" {
			if mlexp.ErrorCode(err) != mlexp.EINVALID || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one saying %q", c.query, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.query, err)
		}
		if got := ids(FilterRanges(runs, rgs, "recall_at_100")); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: runs %v, want %v", c.query, got, c.want)
		}
	}
}

// TestDropStaleRanges: ranges on a metric or axis that the chart no longer shows are dropped
// (the form kept them from an earlier choice); unknown names are left for RangesOf to refuse.
func TestDropStaleRanges(t *testing.T) {
	runs := sample.AxisRuns()
	q, _ := url.ParseQuery("range.recall_at_100=45%25:&range.loss=:0.4&range.user_id_embedding_dim=64:&range.num_crosses=1:&range.nope=1:2&metric=loss")
	DropStaleRanges(q, runs, []string{"num_crosses", "loss"})
	var kept []string
	for k := range q {
		kept = append(kept, k)
	}
	slices.Sort(kept)
	if want := []string{"metric", "range.loss", "range.nope", "range.num_crosses"}; !reflect.DeepEqual(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
	// A range on another metric than the chart's, asked for explicitly (the runs API), filters.
	q, _ = url.ParseQuery("range.recall_at_100=0.45:")
	rgs, err := RangesOf(q, runs, "loss")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(FilterRanges(runs, rgs, "loss")); !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Errorf("range.recall_at_100 with the loss chart: runs %v, want b and c", got)
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"32:128", ":", "45%:", ":0.5", "1e3:2e3", "-1:1", "a:b", "%:%", "NaN:1", "Inf:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		rg, err := parseRange("range.x", "x", v)
		if err != nil {
			if mlexp.ErrorCode(err) != mlexp.EINVALID {
				t.Fatalf("%q: error %v is not EINVALID", v, err)
			}
			return
		}
		if rg.Lo != nil && rg.Hi != nil && *rg.Lo > *rg.Hi {
			t.Fatalf("%q: accepted lo %v > hi %v", v, *rg.Lo, *rg.Hi)
		}
		if _, err := parseRange("range.x", "x", rg.Text()); err != nil {
			t.Fatalf("%q: its own text %q does not parse again: %v", v, rg.Text(), err)
		}
	})
}

func ids(runs []mlexp.Run) []string {
	out := []string{}
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}
