package tracking

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// MLmodelFile is the file that makes an artifact directory an MLflow model.
const MLmodelFile = "MLmodel"

// maxModelDirs bounds how many top-level artifact directories of a run are looked into for
// an MLmodel file.
const maxModelDirs = 8

// FindRunModel finds a run's model the ways MLflow records it, first match wins: an MLflow 3
// logged model whose source run is the run (the newest ready one), an artifact directory
// holding an MLmodel file (the run's root, then its top-level directories by name), the
// spec's model/model_uri.txt pointer. It returns nil when the run has none.
func FindRunModel(ctx context.Context, client *mlflow.Client, run *mlflow.Run) (*mlexp.RunModel, error) {
	logged, err := client.SearchLoggedModels(ctx, []string{run.Info.ExperimentID}, run.Info.RunID)
	var e *mlflow.Error
	switch {
	case errors.As(err, &e) && e.HTTPStatus == http.StatusNotFound && e.Code != "RESOURCE_DOES_NOT_EXIST":
		// An MLflow 2 server: no logged models.
	case err != nil:
		return nil, MLflowError(err, "listing the logged models of run "+run.Info.RunID)
	}
	for _, m := range logged {
		if m.Info.Status == mlflow.LoggedModelReady {
			return &mlexp.RunModel{URI: m.Info.URI(), Source: mlexp.ModelSourceLoggedModel, LoggedModelID: m.Info.ModelID, Name: m.Info.Name}, nil
		}
	}
	if err := proxied(run); err != nil {
		return nil, err
	}
	dir, err := mlmodelDir(ctx, client, run)
	if err != nil || dir != nil {
		return dir, err
	}
	uri, err := readModelURI(ctx, client, run)
	if err != nil || uri == "" {
		return nil, err
	}
	return &mlexp.RunModel{URI: uri, Source: mlexp.ModelSourceURIFile}, nil
}

// mlmodelDir finds the artifact directory of the run that holds an MLmodel file: its root,
// else the first of its top-level directories by name.
func mlmodelDir(ctx context.Context, client *mlflow.Client, run *mlflow.Run) (*mlexp.RunModel, error) {
	id := run.Info.RunID
	list := func(rel string) ([]mlflow.FileInfo, error) {
		files, err := client.ListArtifacts(ctx, run.Info.ArtifactURI, rel)
		if err != nil {
			return nil, MLflowError(err, "listing the artifacts of run "+id)
		}
		return files, nil
	}
	root, err := list("")
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, f := range root {
		if !f.IsDir && f.Path == MLmodelFile {
			return &mlexp.RunModel{URI: "runs:/" + id, Source: mlexp.ModelSourceMLmodelDir}, nil
		}
		if f.IsDir {
			dirs = append(dirs, f.Path)
		}
	}
	slices.Sort(dirs)
	for _, d := range dirs[:min(len(dirs), maxModelDirs)] {
		files, err := list(d)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if !f.IsDir && path.Base(f.Path) == MLmodelFile {
				return &mlexp.RunModel{URI: "runs:/" + id + "/" + d, Source: mlexp.ModelSourceMLmodelDir, Name: d}, nil
			}
		}
	}
	return nil, nil
}

// RunModel finds the model of a run (FindRunModel): nil when it has none. A run that does not
// exist is ENOTFOUND.
func (r *Reader) RunModel(ctx context.Context, runID string) (*mlexp.RunModel, error) {
	run, err := r.client.GetRun(ctx, runID)
	if errors.Is(err, mlflow.ErrNotFound) || errors.Is(err, mlflow.ErrInvalidParameter) {
		return nil, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "run_id", Message: fmt.Sprintf("run %q does not exist in MLflow", runID), Err: err}
	}
	if err != nil {
		return nil, MLflowError(err, "reading run "+runID)
	}
	return FindRunModel(ctx, r.client, run)
}

var _ mlexp.RunModelReader = (*Reader)(nil)
