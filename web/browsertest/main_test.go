// Package browsertest tests the web dashboard of mlexp in a real, headless Chromium driven by
// chromedp: the pages of web.NewServer over a real tracking.Reader of a real MLflow server
// that holds the demo experiment (package demo, logged through tracking.Logger), with saved
// comparisons in a real SQLite store.
//
// Chromium comes from Debian's packages: `make browser` (scripts/chromium.sh install) installs
// it; MLEXP_CHROMIUM names another binary. Without it the tests fail, saying so; they never
// skip. The browser runs headless, without sandbox, GPU or any network of its own, in a fresh
// profile directory.
//
// go test -screenshots (or MLEXP_SCREENSHOTS=1) also writes the screenshots of the
// documentation, docs/screenshots/{dashboard,compare,runs}.png.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/chart"
	"github.com/mlexp-dev/mlexp/demo"
	"github.com/mlexp-dev/mlexp/internal/mlflowtest"
	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/sqlstore"
	"github.com/mlexp-dev/mlexp/tracking"
	"github.com/mlexp-dev/mlexp/web"
)

var screenshots = flag.Bool("screenshots", os.Getenv("MLEXP_SCREENSHOTS") == "1",
	"write the screenshots of the documentation to docs/screenshots (also MLEXP_SCREENSHOTS=1)")

// xssName is the id and name of a feature config that would run script if a page did not
// escape it: model.go's validateID refuses quotes and backslashes, not < > = ( ).
const xssName = `<img src=x onerror=alert(1)>`

// The hostile configs live in a dataset of their own, so that the demo experiment (and its
// screenshots) is exactly what `mlexp demo` makes.
var hostileDataset = mlexp.Dataset{ID: "hostile-names", Name: "Hostile names (browser test)", Version: "1"}

// world is what the tests run against.
type world struct {
	URL     string   // the mlexp server
	Set     demo.Set // the demo experiment, as logged
	Model   mlexp.Model
	Dataset mlexp.Dataset
	Quick   []string // run ids of set.QuickTests, in order
	Full    []string // run ids of set.TrainingRuns, in order
	XSS     string   // the quick test of the config named xssName (hostileDataset)
	Plain   string   // a plain quick test next to it (hostileDataset)
	Root    string   // the project's root directory
	logs    *syncBuffer
	browser context.Context // the one Chromium of the package
}

var w world

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

// runMain starts MLflow (as mlflowtest.Main does), seeds it, serves mlexp over it, starts
// Chromium, runs the tests and stops everything again.
func runMain(m *testing.M) int {
	// Chromium first: without it there is no point in the slow part.
	chromium, err := chromiumPath()
	if err != nil {
		fmt.Fprintf(os.Stderr, "browsertest: %v\n", err)
		return 1
	}
	stopBrowser, err := startBrowser(chromium)
	if err != nil {
		fmt.Fprintf(os.Stderr, "browsertest: %v\n", err)
		return 1
	}
	defer stopBrowser()

	dir, err := os.MkdirTemp("", "mlexp-mlflow-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "browsertest:", err)
		return 1
	}
	srv, err := mlflowtest.Start(dir, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "browsertest: cannot start a real MLflow server for these tests: %v\n", err)
		return 1
	}
	w.Root = srv.Root
	code := func() int {
		defer srv.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if err := seed(ctx, srv.URL, dir); err != nil {
			fmt.Fprintf(os.Stderr, "browsertest: logging the demo experiment to MLflow: %v\n", err)
			return 1
		}
		stopServer, err := serve(srv.URL, dir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "browsertest: %v\n", err)
			return 1
		}
		defer stopServer()
		return m.Run()
	}()
	if code == 0 {
		_ = os.RemoveAll(dir)
	} else {
		fmt.Fprintf(os.Stderr, "browsertest: MLflow data and log kept in %s\n", dir)
	}
	return code
}

// seed logs the demo experiment of seed 42 as `mlexp demo` does (without the outbox), marks
// its chosen full training deployed, and logs two quick tests to hostileDataset.
func seed(ctx context.Context, trackingURI, dir string) error {
	c, err := mlflow.NewClient(trackingURI)
	if err != nil {
		return err
	}
	lg := tracking.NewLogger(c, chart.TrainingCurves)
	w.Set = demo.Reports(demo.DefaultSeed)
	w.Model, w.Dataset = demo.Model(), demo.Dataset(demo.DefaultSeed)
	w.Quick = make([]string, len(w.Set.QuickTests))
	w.Full = make([]string, len(w.Set.TrainingRuns))

	// The first run creates the experiment; the others go in parallel.
	if w.Quick[0], err = lg.LogQuickTest(ctx, w.Set.QuickTests[0]); err != nil {
		return err
	}
	hostile := w.Set.QuickTests[0]
	hostile.Dataset = hostileDataset
	hostile.FeatureConfig.ID, hostile.FeatureConfig.Name = xssName, xssName
	plain := w.Set.QuickTests[1]
	plain.Dataset = hostileDataset
	if w.Plain, err = lg.LogQuickTest(ctx, plain); err != nil {
		return err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		jobs = make(chan func() error)
	)
	for range 6 {
		wg.Go(func() {
			for job := range jobs {
				if err := job(); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := 1; i < len(w.Set.QuickTests); i++ {
		jobs <- func() (err error) { w.Quick[i], err = lg.LogQuickTest(ctx, w.Set.QuickTests[i]); return }
	}
	for i := range w.Set.TrainingRuns {
		jobs <- func() (err error) { w.Full[i], err = lg.LogTrainingRun(ctx, w.Set.TrainingRuns[i]); return }
	}
	jobs <- func() (err error) { w.XSS, err = lg.LogQuickTest(ctx, hostile); return }
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Promoted as `mlexp demo` does, into the store the server then uses.
	store, err := sqlstore.Open(ctx, filepath.Join(dir, "mlexp.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	_, err = tracking.NewPromoter(c, store, time.Now).Promote(ctx, mlexp.PromoteRequest{RunID: w.Full[w.Set.Deployed], By: "mlexp demo"})
	return err
}

// serve starts mlexp's handler, wired as `mlexp serve` wires it, on an httptest server
// (127.0.0.1, a free port).
func serve(trackingURI, dir string) (stop func(), err error) {
	w.logs = &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := mlflow.NewClient(trackingURI)
	if err != nil {
		return nil, err
	}
	store, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlexp.db"))
	if err != nil {
		return nil, fmt.Errorf("opening the SQLite store: %w", err)
	}
	reader := tracking.NewReader(c, time.Minute, time.Now, logger)
	promoter := tracking.NewPromoter(c, store, time.Now)
	promoter.OnChange(reader.Invalidate)
	h := web.NewServer(web.Deps{
		Logger:      logger,
		Checks:      []web.Check{{Name: "mlflow", Check: c.Ping}, {Name: "database", Check: store.Ping}},
		Now:         time.Now,
		Promoter:    promoter,
		Best:        promoter,
		Runs:        reader,
		Artifacts:   reader,
		MLflowUIURL: trackingURI,
		Comparisons: store,
	})
	ts := httptest.NewServer(h)
	w.URL = ts.URL
	return func() { ts.Close(); store.Close() }, nil
}

// chromiumPath finds Chromium as scripts/chromium.sh path does.
func chromiumPath() (string, error) {
	if p := os.Getenv("MLEXP_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("MLEXP_CHROMIUM=%s is not an executable file (%v): unset it to use Debian's Chromium, which `make browser` installs", p, err)
		}
		return p, nil
	}
	if _, err := exec.LookPath("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("Chromium is not installed: the browser tests need it; run `make browser` " +
		"(scripts/chromium.sh install, as root: apt-get install chromium), or set MLEXP_CHROMIUM to a Chromium or Chrome binary")
}

// startBrowser starts the one headless Chromium of the package. chromedp gives it a fresh
// --user-data-dir of its own and removes it when the browser stops.
func startBrowser(path string) (stop func(), err error) {
	var output syncBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop = func() { cancel(); cancelAlloc() }
	start, cancelStart := context.WithTimeout(ctx, 60*time.Second)
	defer cancelStart()
	// The browser's life is bound to ctx, not to the start-up timeout.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err = <-done:
	case <-start.Done():
		err = errors.New("no answer within 60s")
	}
	if err != nil {
		stop()
		return nil, fmt.Errorf("starting Chromium (%s): %v; its output:\n%s", path, err, output.String())
	}
	w.browser = ctx
	return stop, nil
}

// syncBuffer is a bytes.Buffer for several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Paths of the pages.

func dashboardPath() string {
	return "/models/" + url.PathEscape(w.Model.ID) + "/?dataset_id=" + url.QueryEscape(w.Dataset.ID)
}

func runsPath(ds mlexp.Dataset) string {
	return "/models/" + url.PathEscape(w.Model.ID) + "/runs/?dataset_id=" + url.QueryEscape(ds.ID)
}

func runPath(id string) string { return "/runs/" + url.PathEscape(id) + "/" }

func comparePath(ids ...string) string {
	return "/compare/?run_ids=" + url.QueryEscape(strings.Join(ids, ","))
}

// quickName and fullName are the MLflow run names tracking gives the reports.
func quickName(r mlexp.QuickTestReport) string {
	return fmt.Sprintf("%s Quick Test #%d", r.FeatureConfig.DisplayName(), r.QuickTest.ID)
}

func fullName(r mlexp.TrainingRunReport) string {
	return fmt.Sprintf("%s Full Training #%d", r.FeatureConfig.DisplayName(), r.TrainingRun.ID)
}
