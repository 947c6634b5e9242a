// Package mlflowtest starts a real MLflow tracking server for tests: the pinned MLflow of
// scripts/mlflow-requirements.txt in the project's virtualenv, on 127.0.0.1 and a free port,
// with a SQLite backend and served artifacts in a temporary directory.
package mlflowtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a running MLflow tracking server.
type Server struct {
	URL     string // e.g. http://127.0.0.1:40123
	Port    int
	DataDir string // SQLite database, artifacts and mlflow.log
	Root    string // the project's root directory
	cmd     *exec.Cmd
	exited  chan struct{}
}

// Start starts a server with its data in dataDir (created if needed) on port, or on a free
// port when port is 0, and waits until it answers /health.
func Start(dataDir string, port int) (*Server, error) {
	root, err := ProjectRoot()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(Venv(root), "bin", "mlflow")); err != nil {
		return nil, fmt.Errorf("MLflow is not installed in %s: run `make venv` (or scripts/mlflow.sh install) first; `make test` does this for you", Venv(root))
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	fixed := port != 0
	var lastErr error
	for try := 0; try < 3; try++ {
		if !fixed {
			if port, err = freePort(); err != nil {
				return nil, err
			}
		}
		s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), Port: port, DataDir: dataDir, Root: root}
		if lastErr = s.start(); lastErr == nil {
			return s, nil
		}
		if fixed {
			break
		}
	}
	return nil, lastErr
}

func (s *Server) start() error {
	logf, err := os.OpenFile(filepath.Join(s.DataDir, "mlflow.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	from, _ := logf.Seek(0, io.SeekEnd) // this start's lines come after
	cmd := exec.Command(filepath.Join(s.Root, "scripts", "mlflow.sh"), "run", "--data", s.DataDir, "--port", strconv.Itoa(s.Port))
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so Stop reaches the server's workers too; and a signal to it if
	// the test binary dies without calling Stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting MLflow: %w", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("MLflow exited during start-up; its log %s ends with:\n%s", logf.Name(), tail(logf.Name()))
		case <-time.After(200 * time.Millisecond):
		}
		if !s.bound(logf.Name(), from) { // another server may answer on the port: wait for ours
			continue
		}
		if resp, err := http.Get(s.URL + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	_ = s.Stop()
	return fmt.Errorf("MLflow did not answer %s/health within 2 minutes; log %s:\n%s", s.URL, logf.Name(), tail(logf.Name()))
}

// bound reports whether this server's own log says it listens on its port. Test binaries
// that start servers at the same time may be given the same free port; the one that loses
// exits, and the /health of the other must not be taken for its own.
func (s *Server) bound(log string, from int64) bool {
	b, _ := os.ReadFile(log)
	b = b[min(from, int64(len(b))):]
	return strings.Contains(string(b), "Uvicorn running on "+s.URL) || strings.Contains(string(b), "Listening at: "+s.URL)
}

// Stop stops the server and waits until it has exited. Its data stay in DataDir, so Start
// with the same directory and port brings the same server back.
func (s *Server) Stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
	}
	// Workers may outlive the main process for a moment; make sure none is left behind.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	s.cmd = nil
	return nil
}

// SQLitePath is the server's SQLite backend store (when MLEXP_MLFLOW_BACKEND_URI did not name
// another), for the tests that read MLflow's database directly.
func (s *Server) SQLitePath() string { return filepath.Join(s.DataDir, "mlflow.db") }

// Python returns the virtualenv's Python, which has the official MLflow client installed.
func (s *Server) Python() string { return filepath.Join(Venv(s.Root), "bin", "python") }

// Main runs a package's tests with one MLflow server, made available through *srv, and
// exits. Use it in TestMain. When MLflow cannot be started the tests fail, saying how to fix
// it; they never skip.
func Main(m *testing.M, srv **Server) {
	dir, err := os.MkdirTemp("", "mlexp-mlflow-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mlflowtest:", err)
		os.Exit(1)
	}
	s, err := Start(dir, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mlflowtest: cannot start a real MLflow server for these tests: %v\n", err)
		os.Exit(1)
	}
	*srv = s
	code := m.Run()
	_ = s.Stop()
	if code == 0 {
		_ = os.RemoveAll(dir)
	} else {
		fmt.Fprintf(os.Stderr, "mlflowtest: MLflow data and log kept in %s\n", dir)
	}
	os.Exit(code)
}

// ProjectRoot finds the directory holding go.mod, from the working directory up.
func ProjectRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("mlflowtest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Venv is the virtualenv scripts/mlflow.sh uses: $MLEXP_VENV, or .venv in the project.
func Venv(root string) string {
	if v := os.Getenv("MLEXP_VENV"); v != "" {
		return v
	}
	return filepath.Join(root, ".venv")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 25 {
		lines = lines[len(lines)-25:]
	}
	return strings.Join(lines, "\n")
}

// RunPython runs one of the scripts in internal/mlflowtest/python (log_run.py, read_run.py)
// with the official MLflow client pointed at this server, and returns the JSON line it
// printed last (MLflow may print messages of its own before it).
func (s *Server) RunPython(script string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command(s.Python(), append([]string{filepath.Join(s.Root, "internal", "mlflowtest", "python", script)}, args...)...)
	cmd.Env = append(os.Environ(), "MLFLOW_TRACKING_URI="+s.URL, "MLFLOW_DISABLE_TELEMETRY=true", "PYTHONUTF8=1")
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("python %s: %w\n%s", script, err, stderr.Bytes())
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	return lines[len(lines)-1], nil
}

// SQLAlchemyURL turns a postgres:// URL (as pgtest gives) into a SQLAlchemy URL for
// MLflow's --backend-store-uri (MLEXP_MLFLOW_BACKEND_URI of scripts/mlflow.sh). SQLAlchemy
// does not accept postgres://, and since 2.1 its plain postgresql:// means the psycopg (3)
// driver: name psycopg2, the driver the virtualenv has.
func SQLAlchemyURL(u string) string {
	if rest, ok := strings.CutPrefix(u, "postgres://"); ok {
		return "postgresql+psycopg2://" + rest
	}
	return u
}
