package mlflow_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
)

func TestArtifactsUploadListDownload(t *testing.T) {
	c := newClient(t)
	run := mustRun(t, c, mustExperiment(t, c), "artifacts")
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 255}, 50000)...)
	uri := run.Info.ArtifactURI
	if err := c.UploadArtifact(ctx(t), uri, "training_curves.png", png); err != nil {
		t.Fatal(err)
	}
	if err := c.UploadArtifact(ctx(t), uri, "model/model_uri.txt", []byte("gs://bucket/models/46")); err != nil {
		t.Fatal(err)
	}
	if err := c.UploadArtifact(ctx(t), uri, "notes/with space & ünïcode.txt", []byte("ok")); err != nil {
		t.Fatal(err)
	}

	root, err := c.ListArtifacts(ctx(t), uri, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"training_curves.png": false, "model": true, "notes": true}
	if len(root) != len(want) {
		t.Fatalf("root listing = %+v", root)
	}
	for _, f := range root {
		if isDir, ok := want[f.Path]; !ok || isDir != f.IsDir {
			t.Errorf("unexpected entry %+v", f)
		}
		if f.Path == "training_curves.png" && f.FileSize != int64(len(png)) {
			t.Errorf("size %d, want %d", f.FileSize, len(png))
		}
	}
	sub, err := c.ListArtifacts(ctx(t), uri, "model")
	if err != nil || len(sub) != 1 || sub[0].Path != "model/model_uri.txt" {
		t.Fatalf("model/ listing = %+v, %v", sub, err)
	}

	got, err := c.DownloadArtifact(ctx(t), uri, "training_curves.png")
	if err != nil || !bytes.Equal(got, png) {
		t.Fatalf("download gave %d bytes (%v), want the %d uploaded", len(got), err, len(png))
	}
	if got, _ := c.DownloadArtifact(ctx(t), uri, "notes/with space & ünïcode.txt"); string(got) != "ok" {
		t.Errorf("download of an escaped name = %q", got)
	}
	if _, err := c.DownloadArtifact(ctx(t), uri, "missing.txt"); err == nil {
		t.Error("downloading a missing artifact succeeded")
	}
}

func TestArtifactPathsAreChecked(t *testing.T) {
	c := newClient(t)
	uri := "mlflow-artifacts:/1/abc/artifacts"
	for _, p := range []string{"../escape.txt", "/abs.txt", "a/../../b", ""} {
		var ve *mlflow.ValidationError
		if err := c.UploadArtifact(ctx(t), uri, p, []byte("x")); !errors.As(err, &ve) {
			t.Errorf("upload to %q: err = %v, want a ValidationError", p, err)
		}
	}
	if err := c.UploadArtifact(ctx(t), "gs://bucket/path", "x.txt", []byte("x")); err == nil {
		t.Error("upload to a non-proxied artifact URI was accepted")
	}
}
