package mlflowdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/mlflowdb"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
)

// pagedExperiment creates an experiment of shared runs that start at one time between 3 runs
// that do not (or of 10 runs that each start at a time of their own), each with two params and
// a metric.
func pagedExperiment(t *testing.T, ctx context.Context, client *mlflow.Client, name string, shared int) (string, int) {
	t.Helper()
	expID, err := client.CreateExperiment(ctx, name, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	starts := []time.Time{t0}
	for i := range max(shared, 10) {
		if shared > 0 {
			i = 0
		}
		starts = append(starts, t0.Add(time.Duration(i+1)*time.Second))
	}
	starts = append(starts, t0.Add(time.Hour), t0.Add(time.Hour+time.Second))
	for i, start := range starts {
		r, err := client.CreateRun(ctx, mlflow.CreateRunRequest{ExperimentID: expID, RunName: fmt.Sprintf("run-%02d", i), StartTime: start})
		if err != nil {
			t.Fatal(err)
		}
		err = client.LogBatch(ctx, r.Info.RunID, []mlflow.Metric{{Key: "recall_at_100", Value: mlflow.Float(float64(i) / 100), Timestamp: start.UnixMilli()}},
			[]mlflow.Param{{Key: "run_type", Value: "quick_test"}, {Key: "i", Value: fmt.Sprint(i)}}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	return expID, len(starts)
}

// TestDatabasePagesCrossOneStartTime: a load from the database in small pages (1, 2, 4, 8,
// 8 … runs) crosses 20 runs that share a start time, including a page made only of runs read
// before it (the syncer then reads that start time whole), and indexes exactly what a load
// through REST does, without a runs/search request.
func TestDatabasePagesCrossOneStartTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var searches counter
	client := observedClient(t, &searches, nil)
	expID, n := pagedExperiment(t, ctx, client, "db-pages", 20)
	rest := loadIndex(t, ctx, client, nil, expID)
	before := searches.get()
	fromDB, pages := loadIndexPages(t, ctx, client, openDB(t, srv.SQLitePath()), expID)
	// Pages of 1, 2, 4, 8, 8 runs (each page starts at the cursor's start time, so that the
	// runs of that time read before come again): 1, 2 new, 3 new, 4 new; then a page made only
	// of runs read before, and the 11 left at that start time are read whole; then the last 2.
	if want := []int{1, 3, 6, 10, 21, n}; !slices.Equal(pages, want) {
		t.Errorf("runs read after each page of the load from the database: %v, want %v", pages, want)
	}
	if searches.get() != before {
		t.Errorf("the load from the database made %d runs/search requests", searches.get()-before)
	}
	if len(rest) != n || len(fromDB) != n {
		t.Fatalf("the index holds %d runs read through REST, %d from the database; want %d", len(rest), len(fromDB), n)
	}
	for id, body := range rest {
		if fromDB[id] != body {
			t.Errorf("run %s:\nREST     %s\ndatabase %s", id, body, fromDB[id])
		}
	}
}

// TestDatabaseFailingMidLoad: MLflow's database closes after a load's first page. The page it
// fails is read again through MLflow's API in a page of --sync-page-size (one runs/search
// request, never the database's larger page), the failure is counted once, the pages after it
// go through the API without asking the database again, and the load ends with every run.
func TestDatabaseFailingMidLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var searches counter
	var sizes []int
	var mu sync.Mutex
	client := observedClient(t, &searches, func(maxResults int) { mu.Lock(); sizes = append(sizes, maxResults); mu.Unlock() })
	expID, n := pagedExperiment(t, ctx, client, "db-fails-mid-load", 0)
	db := &closesAfterOneRead{Store: openDB(t, srv.SQLitePath())}
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const pageSize = 3
	s := tracking.NewSyncer(client, store, tracking.SyncConfig{PageSize: pageSize, DatabasePageSize: 4}, "test", time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.WithDatabase(db)
	var failed counter
	s.DatabaseFailed = failed.add
	var progress []int
	if err := s.Load(ctx, expID, func(read int) { progress = append(progress, read) }); err != nil {
		t.Fatalf("the load failed with the database gone: %v", err)
	}
	if st, err := store.IndexState(ctx, expID); err != nil || !st.Complete || st.Loaded != n {
		t.Fatalf("index state %+v, %v; want complete with %d runs", st, err, n)
	}
	if len(progress) == 0 || progress[0] != 4 {
		t.Fatalf("pages read %v: want a first page of 4 runs from the database", progress)
	}
	for i := 1; i < len(progress); i++ {
		if d := progress[i] - progress[i-1]; d > pageSize {
			t.Errorf("after the database failed, a page of %d runs (read so far %v): want at most %d", d, progress, pageSize)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, size := range sizes {
		if size > pageSize+1 {
			t.Errorf("a runs/search request asked for %d runs: the fallback reads pages of %d (+1, the cursor's run)", size, pageSize)
		}
	}
	if failed.get() != 1 || searches.get() != len(progress)-1 {
		t.Errorf("%d database reads failed, %d runs/search requests for %d pages after the first: want 1 failure, one request a page", failed.get(), searches.get(), len(progress)-1)
	}
	if got := s.ServedBy(expID); got != tracking.PathREST {
		t.Errorf("ServedBy = %q, want %q", got, tracking.PathREST)
	}
}

// closesAfterOneRead is MLflow's database that closes after its first read: every read after
// it fails as a database that went away does.
type closesAfterOneRead struct {
	*mlflowdb.Store
	once sync.Once
}

func (c *closesAfterOneRead) SearchRuns(ctx context.Context, q mlflow.RunQuery) ([]mlflow.Run, error) {
	runs, err := c.Store.SearchRuns(ctx, q)
	c.once.Do(func() { _ = c.Store.Close() })
	return runs, err
}

// counter counts, from any goroutine.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) add() { c.mu.Lock(); c.n++; c.mu.Unlock() }

func (c *counter) get() int { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

// observedClient is a client of the test's MLflow that counts runs/search requests in searches
// and tells sized (when set) the max_results each one asks for.
func observedClient(t *testing.T, searches *counter, sized func(maxResults int)) *mlflow.Client {
	t.Helper()
	hc := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		if sized != nil && r.Body != nil && strings.HasSuffix(r.URL.Path, "runs/search") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return nil, err
			}
			var req struct {
				MaxResults int `json:"max_results"`
			}
			if json.Unmarshal(body, &req) == nil {
				sized(req.MaxResults)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	client, err := mlflow.NewClient(srv.URL, mlflow.WithHTTPClient(hc), mlflow.WithObserver(func(c mlflow.Call) {
		if c.Endpoint == "runs/search" {
			searches.add()
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	return client
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
