// Package pgtest gives tests a real PostgreSQL: a throw-away cluster started from Debian's
// binaries (scripts/postgres.sh installs them) on 127.0.0.1 and a free port, or the server
// at $MLEXP_TEST_POSTGRES_URL. Each test gets a database of its own.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
)

// Server is a PostgreSQL server for tests.
type Server struct {
	URL  string // admin URL (database postgres)
	cmd  *exec.Cmd
	done chan struct{}
	dir  string
}

// Start returns the server of $MLEXP_TEST_POSTGRES_URL, or starts a cluster of its own.
func Start() (*Server, error) {
	if u := os.Getenv("MLEXP_TEST_POSTGRES_URL"); u != "" {
		return &Server{URL: u}, ping(u)
	}
	root, err := mlflowtest.ProjectRoot()
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(filepath.Join(root, "scripts", "postgres.sh"), "bindir").Output()
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL is not installed: run `scripts/postgres.sh install` (make test does), or set MLEXP_TEST_POSTGRES_URL")
	}
	bin := strings.TrimSpace(string(out))
	dir, err := os.MkdirTemp("", "mlexp-pg-")
	if err != nil {
		return nil, err
	}
	// PostgreSQL refuses to run as root: run it as the postgres user then.
	var asUser []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres user (from the postgresql package): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(asUser0(asUser, filepath.Join(bin, "initdb")), asArgs(asUser, filepath.Join(bin, "initdb"),
		"-D", data, "-U", "mlexp", "--auth=trust", "-E", "UTF8", "--no-sync")...)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{URL: fmt.Sprintf("postgres://mlexp@127.0.0.1:%d/postgres?sslmode=disable", port), dir: dir, done: make(chan struct{})}
	s.cmd = exec.Command(asUser0(asUser, filepath.Join(bin, "postgres")), asArgs(asUser, filepath.Join(bin, "postgres"),
		"-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200")...)
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := ping(s.URL); err == nil {
			return s, nil
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("postgres exited at start-up:\n%s", b)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("postgres did not accept connections within 30s")
		}
	}
}

func asUser0(asUser []string, bin string) string {
	if len(asUser) > 0 {
		return asUser[0]
	}
	return bin
}

func asArgs(asUser []string, bin string, args ...string) []string {
	if len(asUser) > 0 {
		return append(append(asUser[1:], bin), args...)
	}
	return args
}

// Stop stops a cluster this package started and removes it.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT) // fast shutdown
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	_ = os.RemoveAll(s.dir)
}

// NewDatabase creates a database of its own for tb, dropped when tb ends, and returns its URL.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	u, drop, err := s.CreateDatabase()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(drop)
	return u
}

// CreateDatabase creates a database with a fresh name and returns its URL and a function
// that drops it (for programs that are not tests, such as the benchmark).
func (s *Server) CreateDatabase() (string, func(), error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	if err := s.exec("CREATE DATABASE " + name); err != nil {
		return "", nil, err
	}
	u, _ := url.Parse(s.URL)
	u.Path = "/" + name
	return u.String(), func() { _ = s.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") }, nil
}

func (s *Server) exec(sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// Main runs a package's tests with one PostgreSQL server in *srv, and exits. When
// PostgreSQL cannot be started the tests fail, saying how to fix it; they never skip.
func Main(m *testing.M, srv **Server) {
	s, err := Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: cannot start PostgreSQL for these tests: %v\n", err)
		os.Exit(1)
	}
	*srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

func ping(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
