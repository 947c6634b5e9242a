package mlflow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Artifacts go through the tracking server's proxied artifact API (mlflow server
// --serve-artifacts, the default), so the client needs no credentials for the object store.

const artifactsAPI = "/api/2.0/mlflow-artifacts/artifacts"

// FileInfo is one entry of an artifact listing.
type FileInfo struct {
	Path     string `json:"path"`
	IsDir    bool   `json:"is_dir"`
	FileSize int64  `json:"file_size,omitempty"`
}

// artifactPath turns a run's artifact URI (mlflow-artifacts:/1/<run>/artifacts, or with a
// host: mlflow-artifacts://host:port/1/<run>/artifacts) and a relative path into the path
// below the proxied artifact API.
func artifactPath(artifactURI, rel string) (string, error) {
	u, err := url.Parse(artifactURI)
	if err != nil || u.Scheme != "mlflow-artifacts" {
		return "", fmt.Errorf("mlflow: artifact URI %q is not proxied by the tracking server (want mlflow-artifacts:/...); start mlflow server with --serve-artifacts", artifactURI)
	}
	if rel != "" {
		if clean := path.Clean(rel); clean != rel || strings.HasPrefix(clean, "..") || strings.HasPrefix(clean, "/") {
			return "", &ValidationError{"path", fmt.Sprintf("artifact path %q must be a clean relative path", rel)}
		}
	}
	return strings.Trim(path.Join(strings.TrimPrefix(u.Path, "/"), rel), "/"), nil
}

// UploadArtifact stores data as the artifact rel (e.g. "training_curves.png" or
// "model/uri.txt") of the run whose artifact URI is artifactURI (RunInfo.ArtifactURI).
func (c *Client) UploadArtifact(ctx context.Context, artifactURI, rel string, data []byte) error {
	if rel == "" {
		return &ValidationError{"path", "must name a file"}
	}
	p, err := artifactPath(artifactURI, rel)
	if err != nil {
		return err
	}
	if data == nil {
		data = []byte{}
	}
	_, err = c.do(ctx, request{method: http.MethodPut, path: artifactsAPI + "/" + escapePath(p), endpoint: "mlflow-artifacts/upload",
		raw: data, idempotent: true}, nil)
	return err
}

// ListArtifacts lists the artifacts of a run directly below rel ("" for the root).
func (c *Client) ListArtifacts(ctx context.Context, artifactURI, rel string) ([]FileInfo, error) {
	p, err := artifactPath(artifactURI, rel)
	if err != nil {
		return nil, err
	}
	var out struct {
		Files []FileInfo `json:"files"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: artifactsAPI, endpoint: "mlflow-artifacts/list",
		query: url.Values{"path": {p}}, idempotent: true}, &out); err != nil {
		return nil, err
	}
	for i := range out.Files { // make paths relative to the run's artifact root, as MLflow's clients do
		out.Files[i].Path = path.Join(rel, out.Files[i].Path)
	}
	return out.Files, nil
}

// DownloadArtifact returns the content of the artifact rel of a run.
func (c *Client) DownloadArtifact(ctx context.Context, artifactURI, rel string) ([]byte, error) {
	if rel == "" {
		return nil, &ValidationError{"path", "must name a file"}
	}
	p, err := artifactPath(artifactURI, rel)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, request{method: http.MethodGet, path: artifactsAPI + "/" + escapePath(p), endpoint: "mlflow-artifacts/download",
		idempotent: true}, nil)
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
