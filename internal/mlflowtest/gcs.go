package mlflowtest

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// The spec's MLflow topology runs artifacts in Google Cloud Storage (a gs:// artifact root).
// Locally, a GCS emulator from PyPI (gcp-storage-emulator) stands in for it, reached through
// STORAGE_EMULATOR_HOST, and MLflow needs its google-cloud-storage extra: both are in a
// virtualenv of their own (scripts/gcs-requirements.txt), so that the one every test uses
// stays small.

// GCSRequirements is the requirements file of the topology's virtualenv.
func GCSRequirements(root string) string {
	return filepath.Join(root, "scripts", "gcs-requirements.txt")
}

// GCSVenv is the topology's virtualenv: $MLEXP_GCS_VENV, or .venv-gcs in the project.
func GCSVenv(root string) string {
	if v := os.Getenv("MLEXP_GCS_VENV"); v != "" {
		return v
	}
	return filepath.Join(root, ".venv-gcs")
}

// Emulator is a running GCS emulator with one bucket.
type Emulator struct {
	URL    string // for STORAGE_EMULATOR_HOST, e.g. http://127.0.0.1:40125
	Bucket string
	cmd    *exec.Cmd
	exited chan struct{}
}

// StartEmulator starts gcp-storage-emulator from venv on a free port, with its data in
// dataDir and bucket created, and waits until it answers.
func StartEmulator(venv, dataDir, bucket string) (*Emulator, error) {
	bin := filepath.Join(venv, "bin", "gcp-storage-emulator")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("the GCS emulator is not installed in %s: run `make gcs-venv` first", venv)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dataDir, "gcs-emulator.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "-d", filepath.Join(dataDir, "gcs"), "start", "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--default-bucket", bucket)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the GCS emulator: %w", err)
	}
	e := &Emulator{URL: "http://127.0.0.1:" + strconv.Itoa(port), Bucket: bucket, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(e.exited) }()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		select {
		case <-e.exited:
			return nil, fmt.Errorf("the GCS emulator exited at start-up; log:\n%s", tail(logf.Name()))
		case <-time.After(200 * time.Millisecond):
		}
		if resp, err := http.Get(e.URL + "/storage/v1/b/" + bucket); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return e, nil
			}
		}
	}
	e.Stop()
	return nil, fmt.Errorf("the GCS emulator did not answer within 30s; log:\n%s", tail(logf.Name()))
}

// Stop stops the emulator and waits until it has exited.
func (e *Emulator) Stop() {
	pgid := e.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-e.exited
	}
}
