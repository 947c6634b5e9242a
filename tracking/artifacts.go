package tracking

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// TrainingCurves returns the training_curves.png artifact of a run, as logged with a full
// training. A run that does not exist, or has no such image, is ENOTFOUND.
func (r *Reader) TrainingCurves(ctx context.Context, runID string) ([]byte, error) {
	run, err := r.getRun(ctx, runID)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(run.Info.ArtifactURI, "mlflow-artifacts:") {
		return nil, &mlexp.Error{Code: mlexp.EUNAVAILABLE, Message: fmt.Sprintf(
			"the artifacts of run %s are stored at %s, which the MLflow tracking server does not serve; start mlflow server with --serve-artifacts",
			runID, run.Info.ArtifactURI)}
	}
	png, err := r.client.DownloadArtifact(ctx, run.Info.ArtifactURI, CurvesArtifact)
	if errors.Is(err, mlflow.ErrNotFound) {
		return nil, &mlexp.Error{Code: mlexp.ENOTFOUND, Message: fmt.Sprintf("run %s has no %s artifact", runID, CurvesArtifact), Err: err}
	}
	if err != nil {
		return nil, MLflowError(err, "downloading "+CurvesArtifact+" of run "+runID)
	}
	return png, nil
}

// readModelURI reads the model URI a run points to (its model/model_uri.txt artifact); ""
// when it has none.
func readModelURI(ctx context.Context, client *mlflow.Client, run *mlflow.Run) (string, error) {
	if err := proxied(run); err != nil {
		return "", err
	}
	b, err := client.DownloadArtifact(ctx, run.Info.ArtifactURI, ModelURIArtifact)
	if errors.Is(err, mlflow.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", MLflowError(err, "reading the model URI of run "+run.Info.RunID)
	}
	return strings.TrimSpace(string(b)), nil
}

// proxied says, as an EUNAVAILABLE error, when the run's artifacts are not served by the
// tracking server, so that mlexp cannot read them.
func proxied(run *mlflow.Run) error {
	if strings.HasPrefix(run.Info.ArtifactURI, "mlflow-artifacts:") {
		return nil
	}
	return &mlexp.Error{Code: mlexp.EUNAVAILABLE, Message: fmt.Sprintf(
		"the artifacts of run %s are stored at %s, which the MLflow tracking server does not serve, so its model cannot be read; start mlflow server with --serve-artifacts",
		run.Info.RunID, run.Info.ArtifactURI)}
}

// getRun reads one run from MLflow; a run that does not exist is ENOTFOUND.
func (r *Reader) getRun(ctx context.Context, runID string) (*mlflow.Run, error) {
	run, err := r.client.GetRun(ctx, runID)
	if errors.Is(err, mlflow.ErrNotFound) || errors.Is(err, mlflow.ErrInvalidParameter) {
		return nil, &mlexp.Error{Code: mlexp.ENOTFOUND, Field: "run_id", Message: fmt.Sprintf("run %q does not exist in MLflow", runID), Err: err}
	}
	if err != nil {
		return nil, MLflowError(err, "reading run "+runID)
	}
	return run, nil
}
