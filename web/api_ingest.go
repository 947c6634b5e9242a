package web

import (
	"net/http"

	"github.com/mlexp-dev/mlexp"
)

// ingestAnswer is an outbox item as the API shows it.
type ingestAnswer struct {
	*mlexp.OutboxItem
	StatusURL string `json:"status_url"`
}

func (s *server) handleQuickTest(w http.ResponseWriter, r *http.Request) (any, error) {
	report, err := decode[mlexp.QuickTestReport](w, r)
	if err != nil {
		return nil, err
	}
	return ingestAnswerOf(s.ingest.SubmitQuickTest(r.Context(), report))
}

func (s *server) handleTrainingRun(w http.ResponseWriter, r *http.Request) (any, error) {
	report, err := decode[mlexp.TrainingRunReport](w, r)
	if err != nil {
		return nil, err
	}
	return ingestAnswerOf(s.ingest.SubmitTrainingRun(r.Context(), report))
}

// ingestAnswerOf answers 201 with the MLflow run id once delivered, 202 while the item waits
// in the outbox, and 400 when MLflow refused it for good.
func ingestAnswerOf(item *mlexp.OutboxItem, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	ans := ingestAnswer{OutboxItem: item, StatusURL: ingestStatusURL(item)}
	switch item.Status {
	case mlexp.OutboxDelivered:
		return statusAnswer{status: http.StatusCreated, data: ans}, nil
	case mlexp.OutboxFailed:
		return nil, &mlexp.Error{Code: mlexp.EINVALID, Message: "MLflow refused this result: " + item.LastError,
			Details: map[string]any{"id": item.ID, "status_url": ans.StatusURL}}
	}
	return statusAnswer{status: http.StatusAccepted, location: ans.StatusURL, data: ans}, nil
}

func (s *server) handleIngestStatus(w http.ResponseWriter, r *http.Request) (any, error) {
	item, err := s.ingest.Status(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return ingestAnswer{OutboxItem: item, StatusURL: ingestStatusURL(item)}, nil
}

// ingestStatusURL is where the delivery of item can be followed.
func ingestStatusURL(item *mlexp.OutboxItem) string {
	return "/api/experiments/ingest/" + item.ID + "/"
}
