package web

import (
	"context"
	"net/http"

	"github.com/mlexp-dev/mlexp"
)

// Ingester queues reported results for MLflow (tracking.Ingest).
type Ingester interface {
	SubmitQuickTest(ctx context.Context, r mlexp.QuickTestReport) (*mlexp.OutboxItem, error)
	SubmitTrainingRun(ctx context.Context, r mlexp.TrainingRunReport) (*mlexp.OutboxItem, error)
	Status(ctx context.Context, id string) (*mlexp.OutboxItem, error)
}

// ingestAnswer is an outbox item as the API shows it.
type ingestAnswer struct {
	*mlexp.OutboxItem
	StatusURL string `json:"status_url"`
}

func (s *server) handleQuickTest(w http.ResponseWriter, r *http.Request) {
	if s.ingest == nil {
		s.respondError(w, r, errNotConfigured("ingest"))
		return
	}
	report, err := decode[mlexp.QuickTestReport](w, r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	item, err := s.ingest.SubmitQuickTest(r.Context(), report)
	s.respondIngest(w, r, item, err)
}

func (s *server) handleTrainingRun(w http.ResponseWriter, r *http.Request) {
	if s.ingest == nil {
		s.respondError(w, r, errNotConfigured("ingest"))
		return
	}
	report, err := decode[mlexp.TrainingRunReport](w, r)
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	item, err := s.ingest.SubmitTrainingRun(r.Context(), report)
	s.respondIngest(w, r, item, err)
}

// respondIngest answers 201 with the MLflow run id once delivered, 202 while the item waits
// in the outbox, and 400 when MLflow refused it for good.
func (s *server) respondIngest(w http.ResponseWriter, r *http.Request, item *mlexp.OutboxItem, err error) {
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	answer := ingestAnswer{OutboxItem: item, StatusURL: "/api/experiments/ingest/" + item.ID + "/"}
	switch item.Status {
	case mlexp.OutboxDelivered:
		s.respondJSON(w, r, http.StatusCreated, answer)
	case mlexp.OutboxFailed:
		s.respondError(w, r, &mlexp.Error{Code: mlexp.EINVALID, Message: "MLflow refused this result: " + item.LastError,
			Details: map[string]any{"id": item.ID, "status_url": answer.StatusURL}})
	default:
		w.Header().Set("Location", answer.StatusURL)
		s.respondJSON(w, r, http.StatusAccepted, answer)
	}
}

func (s *server) handleIngestStatus(w http.ResponseWriter, r *http.Request) {
	if s.ingest == nil {
		s.respondError(w, r, errNotConfigured("ingest"))
		return
	}
	item, err := s.ingest.Status(r.Context(), r.PathValue("id"))
	if err != nil {
		s.respondError(w, r, err)
		return
	}
	s.respondJSON(w, r, http.StatusOK, ingestAnswer{OutboxItem: item, StatusURL: "/api/experiments/ingest/" + item.ID + "/"})
}

func errNotConfigured(what string) error {
	return mlexp.Errorf(mlexp.EUNAVAILABLE, "%s is not configured on this server", what)
}
