package mlflow

// RunQuery is a structured search of one experiment's runs: every condition set must hold.
// It is what mlexp's run index asks of MLflow, read either through runs/search (Filter and
// Request build the filter string) or straight from MLflow's database (package mlflowdb).
type RunQuery struct {
	ExperimentID string
	View         ViewType // ActiveOnly when empty
	// StartFrom keeps the runs with start_time >= *StartFrom (ms); StartAt those with
	// start_time = *StartAt; EndFrom those with end_time >= *EndFrom.
	StartFrom, StartAt, EndFrom *int64
	Status                      RunStatus // "" any
	IDs                         []string  // run_id IN IDs, when not empty
	NotIDs                      []string  // run_id NOT IN NotIDs, when not empty
	// Ordered returns the runs in the order of (start_time, run_id); otherwise in any order.
	Ordered bool
	// Limit stops after this many runs (with Ordered, the first ones); 0 every run.
	Limit int
	// TagKeys, when set, are the only tags the caller reads: a reader may leave the others
	// out (runs/search cannot, and returns every tag).
	TagKeys []string
}

// ViewOrActive is q.View, ActiveOnly when empty.
func (q RunQuery) ViewOrActive() ViewType {
	if q.View == "" {
		return ActiveOnly
	}
	return q.View
}

// Filter is the runs/search filter string of q's conditions ("" when none).
func (q RunQuery) Filter() (string, error) {
	var cs []Clause
	if q.StartFrom != nil {
		cs = append(cs, WhereNumber(Attributes, "start_time", ">=", float64(*q.StartFrom)))
	}
	if q.StartAt != nil {
		cs = append(cs, WhereNumber(Attributes, "start_time", "=", float64(*q.StartAt)))
	}
	if q.EndFrom != nil {
		cs = append(cs, WhereNumber(Attributes, "end_time", ">=", float64(*q.EndFrom)))
	}
	if q.Status != "" {
		cs = append(cs, Where(Attributes, "status", "=", string(q.Status)))
	}
	if len(q.IDs) > 0 {
		cs = append(cs, RunIDIn(q.IDs))
	}
	if len(q.NotIDs) > 0 {
		cs = append(cs, RunIDNotIn(q.NotIDs))
	}
	return And(cs...)
}

// Request is the runs/search request of q, in pages of pageSize runs.
func (q RunQuery) Request(pageSize int) (SearchRunsRequest, error) {
	filter, err := q.Filter()
	if err != nil {
		return SearchRunsRequest{}, err
	}
	req := SearchRunsRequest{ExperimentIDs: []string{q.ExperimentID}, Filter: filter, RunViewType: q.View, Limit: q.Limit, PageSize: pageSize}
	if q.Ordered {
		req.OrderBy = []string{"attributes.start_time ASC", "attributes.run_id ASC"}
	}
	return req, nil
}

// Millis is a pointer to ms, for the bounds of a RunQuery.
func Millis(ms int64) *int64 { return &ms }
