package mlexp

// Where a run's model was found, in the order they are looked for: the first that is present
// is the run's model.
const (
	// ModelSourceLoggedModel is an MLflow 3 LoggedModel whose source run is the run
	// (mlflow.<flavor>.log_model); its URI is models:/<model_id>.
	ModelSourceLoggedModel = "logged_model"
	// ModelSourceMLmodelDir is an artifact directory of the run holding an MLmodel file (a
	// model logged as run artifacts, as MLflow 2 clients did); its URI is runs:/<run>/<dir>.
	ModelSourceMLmodelDir = "mlmodel_dir"
	// ModelSourceURIFile is the spec's model/model_uri.txt pointer; its URI is its content.
	ModelSourceURIFile = "model_uri_file"
)

// RunModel is a run's model as MLflow records it: what to deploy, and where it was found.
type RunModel struct {
	URI    string `json:"uri"`
	Source string `json:"source"` // logged_model, mlmodel_dir or model_uri_file
	// LoggedModelID is the MLflow 3 logged model (m-…), for source logged_model.
	LoggedModelID string `json:"logged_model_id,omitempty"`
	// Name is the logged model's name or the artifact directory, when there is one.
	Name string `json:"name,omitempty"`
}

// ModelSourceLabel says where a model was found, for people.
func ModelSourceLabel(source string) string {
	switch source {
	case ModelSourceLoggedModel:
		return "MLflow logged model"
	case ModelSourceMLmodelDir:
		return "MLmodel artifact directory"
	case ModelSourceURIFile:
		return "model/model_uri.txt"
	}
	return source
}

// ModelURIs returns the model URIs of models, by run id ("" for a run read without one): what
// SelectBest and NeedModelURIs look at.
func ModelURIs(models map[string]*RunModel) map[string]string {
	uris := make(map[string]string, len(models))
	for id, m := range models {
		if m != nil {
			uris[id] = m.URI
		} else {
			uris[id] = ""
		}
	}
	return uris
}
