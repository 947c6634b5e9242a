package web

import (
	"net/http"

	"github.com/mlexp-dev/mlexp/explore"
)

// handleModels lists the models found in MLflow, with their datasets.
func (s *server) handleModels(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.explore.Models(r.Context())
}

// attachRequest attaches an existing MLflow experiment to a model and dataset.
type attachRequest = explore.AttachRequest

// handleAttach tags an existing MLflow experiment as the model's experiment on a dataset.
func (s *server) handleAttach(w http.ResponseWriter, r *http.Request) (any, error) {
	req, err := decode[attachRequest](w, r)
	if err != nil {
		return nil, err
	}
	return s.explore.Attach(r.Context(), r.PathValue("model_id"), req)
}
