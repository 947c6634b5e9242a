// Package mlmdtest writes ML Metadata stores for tests with the real ml-metadata library:
// scripts/mlmd_write.py in the virtualenv of scripts/mlmd.sh (make mlmd installs it; make
// test does).
package mlmdtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
)

// Training is one TFX-shaped pipeline run to write (see scripts/mlmd_write.py).
type Training struct {
	Key           string `json:"key"`
	RunID         string `json:"run_id,omitempty"`
	Link          string `json:"link,omitempty"` // external_id | property | uri | none
	ModelURI      string `json:"model_uri,omitempty"`
	DatasetURI    string `json:"dataset_uri,omitempty"`
	Span          int    `json:"span,omitempty"`
	Version       int    `json:"version,omitempty"`
	SchemaVersion int    `json:"schema_version,omitempty"`
	Vocabulary    string `json:"vocabulary,omitempty"`
	Base          string `json:"base,omitempty"` // key of the training this one warm-starts from
	Blessed       bool   `json:"blessed,omitempty"`
	Pushed        bool   `json:"pushed,omitempty"`
}

// Spec is what to write: the trainings, and Filler more unlinked ones.
type Spec struct {
	Trainings []Training `json:"trainings"`
	Filler    int        `json:"filler,omitempty"`
}

// Written is what the library wrote for one training: the ids of its Trainer and Model, and
// the lineage graph a reader must find for it.
type Written struct {
	ExecutionID     int64               `json:"execution_id"`
	ModelArtifactID int64               `json:"model_artifact_id"`
	Nodes           []WrittenNode       `json:"nodes"`
	Edges           []mlexp.LineageEdge `json:"edges"`
}

// WrittenNode is a node as the library wrote it (times in milliseconds since the epoch).
type WrittenNode struct {
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	Name         string            `json:"name"`
	URI          string            `json:"uri"`
	Properties   map[string]string `json:"properties"`
	CreateTimeMS int64             `json:"create_time_ms"`
}

// WriteSQLite writes spec into a new SQLite store in tb's temporary directory and returns
// its path and what was written, by training key.
func WriteSQLite(tb testing.TB, spec Spec) (string, map[string]Written) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "mlmd.db")
	return path, write(tb, map[string]any{"sqlite": path}, spec)
}

// WritePostgres writes spec into the PostgreSQL database at dsn (postgres://user@host:port/db).
func WritePostgres(tb testing.TB, dsn string, spec Spec) map[string]Written {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	pg := map[string]any{"host": u.Hostname(), "port": u.Port(), "user": u.User.Username(), "dbname": u.Path[1:]}
	if p, ok := u.User.Password(); ok {
		pg["password"] = p
	}
	return write(tb, map[string]any{"postgresql": pg}, spec)
}

func write(tb testing.TB, store map[string]any, spec Spec) map[string]Written {
	tb.Helper()
	in, err := json.Marshal(map[string]any{"store": store, "trainings": spec.Trainings, "filler": spec.Filler})
	if err != nil {
		tb.Fatal(err)
	}
	return Run(tb, in)
}

// Run runs scripts/mlmd_write.py on the spec in (JSON, with its store) and returns what it
// wrote, by training key.
func Run(tb testing.TB, in []byte) map[string]Written {
	tb.Helper()
	root, err := mlflowtest.ProjectRoot()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "mlmd.sh"), "python", filepath.Join(root, "scripts", "mlmd_write.py"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("writing an ML Metadata store with the ml-metadata library: %v\n%s\n(is it installed? `make mlmd`, which `make test` runs, installs it)", err, stderr.String())
	}
	var got struct {
		Trainings map[string]Written `json:"trainings"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		tb.Fatalf("reading what scripts/mlmd_write.py wrote: %v", err)
	}
	return got.Trainings
}

// String describes a node for test failures.
func (n WrittenNode) String() string { return fmt.Sprintf("%s %s %q", n.ID, n.Type, n.Name) }
