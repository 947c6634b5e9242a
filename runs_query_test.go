package mlexp_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
)

var queryT0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// queryRun is a finished run started at hours after queryT0, lasting minutes.
func queryRun(id string, typ mlexp.RunType, hours, minutes int, metrics mlexp.MetricValues) mlexp.Run {
	start := queryT0.Add(time.Duration(hours) * time.Hour)
	return mlexp.Run{ID: id, Name: "config-" + id + " run", ConfigID: "config-" + id, ConfigName: "config-" + id, Type: typ,
		Status: mlexp.RunFinished, Start: start, End: start.Add(time.Duration(minutes) * time.Minute),
		Params: mlexp.NewParams(map[string]string{"run_type": string(typ), "epochs": "2", "user_id_embedding_dim": "64"}), Metrics: metrics}
}

func queryRuns() []mlexp.Run {
	a := queryRun("a", mlexp.QuickTestRun, 1, 8, mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.42}))
	b := queryRun("b", mlexp.FullTrainingRun, 2, 222, mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.47}))
	b.Params = b.Params.With("user_id_embedding_dim", "128")
	c := queryRun("c", mlexp.QuickTestRun, 3, 7, mlexp.NewMetricValues(map[string]float64{"recall_at_100": math.NaN()}))
	c.Status = mlexp.RunFailed
	d := queryRun("d", mlexp.QuickTestRun, 4, 5, mlexp.NewMetricValues(map[string]float64{})) // no metric at all
	d.Status, d.End = mlexp.RunRunning, time.Time{}
	d.ID = "d-7f3a9c"
	e := queryRun("e", mlexp.QuickTestRun, 5, 6, mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.45}))
	cost := 1.42
	e.CostUSD = &cost
	e.Name = "Config-E special"
	return []mlexp.Run{a, b, c, d, e}
}

func queryIDs(runs []mlexp.Run) []string {
	ids := []string{}
	for _, r := range runs {
		id, _, _ := strings.Cut(r.ID, "-")
		ids = append(ids, id)
	}
	return ids
}

func mustQueryRuns(t *testing.T, runs []mlexp.Run, q mlexp.RunsQuery) mlexp.RunsPage {
	t.Helper()
	if err := q.Check(runs); err != nil {
		t.Fatal(err)
	}
	return mlexp.QueryRuns(runs, q)
}

func TestQueryRunsFilters(t *testing.T) {
	cases := []struct {
		name string
		q    mlexp.RunsQuery
		want []string
	}{
		{"defaults: newest first", mlexp.RunsQuery{}, []string{"e", "d", "c", "b", "a"}},
		{"quick tests", mlexp.RunsQuery{Type: "quick_test"}, []string{"e", "d", "c", "a"}},
		{"full trainings", mlexp.RunsQuery{Type: "full_training"}, []string{"b"}},
		{"failed, any case", mlexp.RunsQuery{Status: "FAILED"}, []string{"c"}},
		{"running", mlexp.RunsQuery{Status: "running"}, []string{"d"}},
		{"finished quick tests", mlexp.RunsQuery{Type: "quick_test", Status: "Finished"}, []string{"e", "a"}},
		{"search the name, any case", mlexp.RunsQuery{Search: "SPECIAL"}, []string{"e"}},
		{"search the config", mlexp.RunsQuery{Search: "config-b"}, []string{"b"}},
		{"search the run id", mlexp.RunsQuery{Search: "  7F3A9 "}, []string{"d"}},
		{"search a param key=value", mlexp.RunsQuery{Search: "user_id_embedding_dim=128"}, []string{"b"}},
		{"search matching nothing", mlexp.RunsQuery{Search: "zzz"}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustQueryRuns(t, queryRuns(), c.q)
			if got := queryIDs(p.Runs); !slices.Equal(got, c.want) || p.Total != len(c.want) {
				t.Errorf("runs %v (total %d), want %v", got, p.Total, c.want)
			}
		})
	}
}

func TestQueryRunsSortByMetricPutsNaNAndMissingLast(t *testing.T) {
	for _, c := range []struct {
		sort, order string
		want        []string
	}{
		{"recall_at_100", "desc", []string{"b", "e", "a", "d", "c"}},
		{"metrics.recall_at_100", "ASC", []string{"a", "e", "b", "d", "c"}},
		{"cost", "asc", []string{"e", "d", "c", "b", "a"}},
		{"duration", "desc", []string{"b", "a", "c", "e", "d"}},
		{"duration", "asc", []string{"e", "c", "a", "b", "d"}},
		{"name", "asc", []string{"a", "b", "c", "d", "e"}},
		{"run_type", "desc", []string{"b", "e", "d", "c", "a"}},
		{"status", "asc", []string{"c", "e", "b", "a", "d"}},
		{"params.user_id_embedding_dim", "desc", []string{"b", "e", "d", "c", "a"}},
	} {
		q := mlexp.RunsQuery{Sort: c.sort, Order: c.order}
		if got := queryIDs(mustQueryRuns(t, queryRuns(), q).Runs); !slices.Equal(got, c.want) {
			t.Errorf("sort %s %s = %v, want %v", c.sort, c.order, got, c.want)
		}
	}
}

func TestQueryRunsSortIsNatural(t *testing.T) {
	runs := []mlexp.Run{queryRun("1", mlexp.QuickTestRun, 1, 1, mlexp.MetricValues{}), queryRun("2", mlexp.QuickTestRun, 2, 1, mlexp.MetricValues{}), queryRun("3", mlexp.QuickTestRun, 3, 1, mlexp.MetricValues{})}
	runs[0].ConfigName, runs[1].ConfigName, runs[2].ConfigName = "config-10", "config-9", "config-100"
	got := queryIDs(mustQueryRuns(t, runs, mlexp.RunsQuery{Sort: "config", Order: "asc"}).Runs)
	if !slices.Equal(got, []string{"2", "1", "3"}) {
		t.Errorf("sort by config = %v, want config-9, config-10, config-100", got)
	}
}

func TestQueryRunsPaging(t *testing.T) {
	var runs []mlexp.Run
	for i := range 7 {
		runs = append(runs, queryRun(string(rune('a'+i)), mlexp.QuickTestRun, i, 5, mlexp.MetricValues{}))
	}
	for _, c := range []struct {
		page, size int
		want       []string
	}{
		{1, 3, []string{"g", "f", "e"}},
		{3, 3, []string{"a"}},
		{4, 3, []string{}},
		{1 << 40, 3, []string{}},
		{1, 7, []string{"g", "f", "e", "d", "c", "b", "a"}},
	} {
		p := mustQueryRuns(t, runs, mlexp.RunsQuery{Page: c.page, PageSize: c.size})
		if got := queryIDs(p.Runs); !slices.Equal(got, c.want) || p.Total != 7 || p.Pages != (7+c.size-1)/c.size || p.Runs == nil {
			t.Errorf("page %d of %d = %v (total %d, pages %d), want %v", c.page, c.size, got, p.Total, p.Pages, c.want)
		}
	}
	if p := mustQueryRuns(t, runs, mlexp.RunsQuery{}); p.Page != 1 || p.PageSize != 50 || p.Pages != 1 {
		t.Errorf("default paging = %+v", p)
	}
	if all := mlexp.FilterRuns(runs, mlexp.RunsQuery{Sort: "start_time", Order: "asc"}); len(all) != 7 || all[0].ID != "a" {
		t.Errorf("FilterRuns = %v", queryIDs(all))
	}
}

func TestRunsQueryErrorsNameTheField(t *testing.T) {
	runs := queryRuns()
	for _, c := range []struct {
		q         mlexp.RunsQuery
		field     string
		wantValid string // one of Details["valid"], if any
	}{
		{mlexp.RunsQuery{Sort: "colour"}, "sort", "recall_at_100"},
		{mlexp.RunsQuery{Sort: "metrics.nope"}, "sort", "start_time"},
		{mlexp.RunsQuery{Sort: "params.nope"}, "sort", "params.epochs"},
		{mlexp.RunsQuery{Order: "up"}, "order", "asc"},
		{mlexp.RunsQuery{Type: "quick"}, "type", "quick_test"},
		{mlexp.RunsQuery{Status: "done"}, "status", "finished"},
		{mlexp.RunsQuery{Page: -1}, "page", ""},
		{mlexp.RunsQuery{PageSize: 1001}, "page_size", ""},
	} {
		err := c.q.Check(runs)
		var e *mlexp.Error
		if !errors.As(err, &e) || e.Code != mlexp.EINVALID || e.Field != c.field {
			t.Errorf("%+v: err = %v, want EINVALID on %s", c.q, err, c.field)
			continue
		}
		if c.wantValid != "" {
			if valid, _ := e.Details["valid"].([]string); !slices.Contains(valid, c.wantValid) {
				t.Errorf("%+v: valid = %v, want it to list %s", c.q, e.Details["valid"], c.wantValid)
			}
		}
	}
}
