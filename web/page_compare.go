package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

type comparePage struct {
	Layout         pageLayout
	Comparison     *mlexp.Comparison // for blocks that need the raw comparison (save-comparison)
	RunIDs         []string
	ModelID        string // of the first run's experiment; "" when it is no model's
	DatasetID      string
	Runs           []compareHeader
	Rows           []compareRow
	Notes          []string
	Groups         []diffGroupView
	OnlyDiffs      bool
	ToggleDiffs    pageLink
	Recommendation mlexp.Recommendation
	Train          *trainForm
	Trained        *trainedView // the full training the leading quick test's config already has
	TowersURL      string       // the model's tower-mapping page, when embedding dims of runs are in no tower
	AddMore        string
	Close          string
	// A saved comparison reopened: what was saved, and the runs MLflow no longer has.
	Saved        *mlexp.SavedComparison
	Missing      []string
	CanSave      bool   // a store of saved comparisons is configured
	CanEdit      bool   // the signed-in user saved it
	ListURL      string // the saved comparisons of the model; "" without a store
	EditAction   string // the Edit and Delete forms of a saved comparison
	DeleteAction string
	DefaultName  string // suggested name for "Save comparison"

	// Curves are the compared full trainings' per-epoch curves; nil without full trainings.
	Curves *compareCurves
}

type compareHeader struct {
	Name, URL, Config, TypeLabel string
	Baseline, Deployed, Failed   bool
	BaselineURL                  string // makes this run the baseline
	DiffSummary                  string
	Model, ModelSource           string       // the full training's model and where MLflow records it
	Promote                      *promoteForm // nil: not promotable from here
}

type compareRow struct {
	Label string
	Cells []compareCell
}

type compareCell struct {
	Text, Diff     string
	Best, Baseline bool
}

type diffGroupView struct {
	Name    string
	Entries []diffEntryView
	Hidden  int // entries left out because they are the same everywhere
}

type diffEntryView struct {
	Item    string
	Differs bool
	Cells   []diffCell
}

type diffCell struct {
	Value, Mark, Class string
}

// trainForm is the "Run Full Training" button: a form to the full-training route.
type trainForm struct {
	Action, Label                             string
	ModelID, DatasetID, ConfigID, SourceRunID string
	Enabled                                   bool
	Tooltip                                   string
}

// trainedView offers what to do with the full training a quick-test winner's config
// already has: compare with it, and promote it when it leads.
type trainedView struct {
	CompareLabel, CompareURL string
	Promote                  *promoteForm // nil unless it leads the reference by more than the threshold
}

// trainingDisabledTooltip explains the disabled "Run Full Training" button.
const trainingDisabledTooltip = "Full trainings cannot be requested from here: set MLEXP_TRAINING_URL (--training-url) to enable"

// handleComparePage compares runs by id (run_ids, comma-separated or repeated, as the
// runs table's checkboxes send them) against a baseline.
func (s *server) handleComparePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids := listParam(q, "run_ids")
	if n := len(ids); n < mlexp.MinCompareRuns || n > mlexp.MaxCompareRuns {
		s.pageError(w, r, mlexp.InvalidField("run_ids", "select %d to %d runs to compare, not %d: tick them in a runs table, then Compare Selected",
			mlexp.MinCompareRuns, mlexp.MaxCompareRuns, n))
		return
	}
	runs, err := s.explore.RunsByID(r.Context(), ids)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderCompare(w, r, runs, ids, nil, nil)
}

// renderCompare renders the comparison of runs (ids as asked); saved and missing are set
// when a saved comparison is reopened.
func (s *server) renderCompare(w http.ResponseWriter, r *http.Request, runs []mlexp.Run, ids []string, saved *mlexp.SavedComparison, missing []string) {
	q := r.URL.Query()
	var l pageLayout
	l.Title, l.Nav.Active, l.Nav.MLflow = "Compare Experiments", "compare", s.explore.TrackingURL()
	m, d, known := s.explore.ModelOf(r.Context(), runs[0].ExperimentID)
	if known {
		l.Nav.ModelName, l.Nav.Dashboard, l.Nav.Runs = m.Name, dashboardURL(m.ID, d.ID), runsURL(m.ID, d.ID)
		l.Nav.MLflow = s.explore.ExperimentURL(d.ExperimentID)
	}
	comparison, err := s.explore.CompareRuns(r.Context(), runs, q.Get("baseline"), q.Get("metric"))
	if err != nil {
		s.pageErrorIn(w, r, l, err)
		return
	}
	p := newComparePage(l, q, comparison, runs, ids)
	p.Saved, p.Missing = saved, missing
	p.Curves = s.trainingCurves(r.Context(), runs)
	p.CanSave = s.canSave && saved == nil
	p.CanEdit = saved != nil && saved.CreatedBy == UserFrom(r.Context())
	if known {
		p.offerActions(m, d, runs, ids, s.trainURL != "")
	} else {
		p.Close = "/"
	}
	p.CanSave = p.CanSave && p.ModelID != "" // a saved comparison belongs to a model
	if s.canSave {
		p.ListURL = comparisonsURL(p.ModelID)
	}
	if !s.canMapTowers { // no store for the mapping: its page would only say so
		p.TowersURL = ""
	}
	if saved != nil {
		p.ListURL, p.EditAction, p.DeleteAction = comparisonsURL(saved.ModelID), savedURL(saved.ID)+"edit/", savedURL(saved.ID)+"delete/"
	}
	s.render(w, r, http.StatusOK, viewCompare, p)
}

// newComparePage lays out a comparison: the runs' headers, the metrics table and the
// configuration diff, with only the differences when the query asks (diff=changed).
func newComparePage(l pageLayout, q url.Values, comparison *mlexp.Comparison, runs []mlexp.Run, ids []string) *comparePage {
	p := &comparePage{Layout: l, Comparison: comparison, RunIDs: ids, Notes: comparison.Notes, Recommendation: comparison.Recommendation,
		OnlyDiffs: q.Get("diff") == "changed"}
	if len(comparison.Runs) > 0 {
		p.DefaultName = cmp.Or(comparison.Runs[0].ConfigName, comparison.Runs[0].ID) + " vs " + cmp.Or(comparison.Runs[len(comparison.Runs)-1].ConfigName, comparison.Runs[len(comparison.Runs)-1].ID)
	}
	for i, cr := range comparison.Runs {
		p.Runs = append(p.Runs, compareHeader{Name: cr.Name, URL: runURL(cr.ID), Config: cmp.Or(cr.ConfigName, cr.ConfigID), TypeLabel: cr.TypeLabel,
			Baseline: cr.Baseline, Deployed: cr.Deployed, Failed: runs[i].Failed(), BaselineURL: withQuery("/compare/", override(q, "baseline", cr.ID)),
			DiffSummary: comparison.DiffSummary[i].Text})
		if m := cr.Model; m != nil {
			p.Runs[len(p.Runs)-1].Model, p.Runs[len(p.Runs)-1].ModelSource = m.URI, mlexp.ModelSourceLabel(m.Source)
		}
	}
	for _, row := range append(append([]mlexp.MetricRow{}, comparison.Metrics...), comparison.Duration, comparison.Cost) {
		cr := compareRow{Label: row.Label}
		for i := range row.Texts {
			cr.Cells = append(cr.Cells, compareCell{Text: row.Texts[i], Diff: row.DiffTexts[i], Best: i == row.Best, Baseline: comparison.Runs[i].Baseline})
		}
		p.Rows = append(p.Rows, cr)
	}
	p.diffGroups(comparison.ConfigDiff)
	if p.OnlyDiffs {
		p.ToggleDiffs = pageLink{Label: "Show all settings", URL: withQuery("/compare/", override(q, "diff", ""))}
	} else {
		p.ToggleDiffs = pageLink{Label: "Show differences only", URL: withQuery("/compare/", override(q, "diff", "changed"))}
	}
	return p
}

// diffGroups shows the configuration diff, hiding the settings that do not differ when
// only the differences are asked for.
func (p *comparePage) diffGroups(groups []mlexp.DiffGroup) {
	for _, g := range groups {
		gv := diffGroupView{Name: g.Name}
		for _, e := range g.Entries {
			if p.OnlyDiffs && !e.Differs {
				gv.Hidden++
				continue
			}
			ev := diffEntryView{Item: e.Item, Differs: e.Differs}
			for i, v := range e.Values {
				ev.Cells = append(ev.Cells, diffCell{Value: v, Mark: strings.ToUpper(e.Marks[i]), Class: "mark-" + e.Marks[i]})
			}
			gv.Entries = append(gv.Entries, ev)
		}
		p.Groups = append(p.Groups, gv)
	}
}

// offerActions adds what can be done from a comparison of model m on dataset d: run a full
// training of a quick-test winner (enabled when a training service is configured), promote
// the finished full trainings of the model, add runs, close.
func (p *comparePage) offerActions(m mlexp.ModelInfo, d mlexp.DatasetInfo, runs []mlexp.Run, ids []string, canTrain bool) {
	if rec := p.Comparison.Recommendation; rec.Kind == mlexp.RecommendRunFullTraining {
		config := rec.ConfigID
		for _, cr := range p.Comparison.Runs {
			if cr.ID == rec.RunID {
				config = cmp.Or(cr.ConfigName, cr.ConfigID)
			}
		}
		p.Train = &trainForm{Action: "/api/experiments/full-training-requests/", Label: "▶ Run Full Training with " + config,
			ModelID: m.ID, DatasetID: d.ID, ConfigID: rec.ConfigID, SourceRunID: rec.RunID, Enabled: canTrain}
		if !p.Train.Enabled {
			p.Train.Tooltip = trainingDisabledTooltip
		}
	}
	if ft := p.Comparison.Recommendation.FullTraining; ft != nil && len(ft.CompareRunIDs) <= mlexp.MaxCompareRuns {
		p.Trained = &trainedView{CompareLabel: "Compare with " + ft.RunName,
			CompareURL: withQuery("/compare/", url.Values{"run_ids": {strings.Join(ft.CompareRunIDs, ",")}})}
		if ft.Promote {
			p.Trained.Promote = &promoteForm{Action: deployAction(ft.RunID), Label: "Promote " + ft.RunName, ModelID: m.ID, DatasetID: d.ID}
		}
	}
	for i, run := range runs {
		if run.Status != mlexp.RunFinished || run.Deployed || run.Type == mlexp.QuickTestRun { // quick tests make no model
			continue
		}
		if slices.ContainsFunc(m.Datasets, func(ds mlexp.DatasetInfo) bool { return ds.ExperimentID == run.ExperimentID }) {
			p.Runs[i].Promote = &promoteForm{Action: deployAction(run.ID), Label: "Promote", ModelID: m.ID, DatasetID: d.ID}
		}
	}
	p.ModelID, p.DatasetID = m.ID, d.ID
	if unplacedDims(p.Comparison.ConfigDiff) {
		p.TowersURL = withQuery(modelPath(m.ID)+"towers/", url.Values{"dataset_id": {d.ID}})
	}
	p.AddMore = withQuery(modelPath(m.ID)+"runs/", url.Values{"dataset_id": {d.ID}, "run_ids": {strings.Join(ids, ",")}})
	p.Close = dashboardURL(m.ID, d.ID)
}

// unplacedDims tells whether the configuration diff lists an embedding dim under Other: a
// feature in no tower, which the model's tower mapping can place.
func unplacedDims(groups []mlexp.DiffGroup) bool {
	for _, g := range groups {
		if g.Name == mlexp.GroupOther && slices.ContainsFunc(g.Entries, func(e mlexp.DiffEntry) bool { return strings.HasSuffix(e.Item, "_embedding_dim") }) {
			return true
		}
	}
	return false
}
