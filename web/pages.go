package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/explore"
)

// The HTML pages: each view is templates/<view>.html, which defines "content" and is
// rendered inside templates/layout.html.
const (
	viewHome              = "home"
	viewDashboard         = "dashboard"
	viewCompare           = "compare"
	viewRuns              = "runs"
	viewRun               = "run"
	viewError             = "error"
	viewTrainingRequested = "training_requested"
	viewDeployments       = "deployments"
	viewInsights          = "insights"
	viewTowers            = "towers"
	viewComparisons       = "comparisons"
	viewConfirmPromote    = "confirm_promote"
)

// pageViews are parsed at start-up, so that a missing or broken view fails NewServer, never
// a request.
var pageViews = []string{viewHome, viewDashboard, viewCompare, viewRuns, viewRun, viewError, viewTrainingRequested, viewDeployments, viewInsights,
	viewTowers, viewComparisons, viewConfirmPromote}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageSet holds the parsed views and the static assets under their content-hash names.
type pageSet struct {
	views  map[string]*template.Template
	assets map[string]asset  // by hashed file name: "app.3f2a9c1b04de.css"
	urls   map[string]string // by source name: "app.css" → "/static/app.3f2a9c1b04de.css"
}

type asset struct {
	body        []byte
	contentType string
}

// mustLoadPages parses every view and hashes every static file. The files are embedded in
// the binary, so a failure is a bug in this package: it panics at start-up.
func mustLoadPages() *pageSet {
	p, err := loadPages()
	if err != nil {
		panic(fmt.Sprintf("web: loading the HTML pages: %v", err))
	}
	return p
}

func loadPages() (*pageSet, error) {
	p := &pageSet{views: map[string]*template.Template{}, assets: map[string]asset{}, urls: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		base := path.Base(name)
		ext := path.Ext(base)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		p.assets[hashed] = asset{body: body, contentType: mime.TypeByExtension(ext)}
		p.urls[base] = "/static/" + hashed
		return nil
	})
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"static": func(name string) (string, error) {
			if u, ok := p.urls[name]; ok {
				return u, nil
			}
			return "", fmt.Errorf("no static file %q", name)
		},
		"upper":  strings.ToUpper,
		"plural": mlexp.Plural, // {{plural .N "run" "runs"}}: "1 run", "2 runs"
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	for _, v := range pageViews {
		// A view's partials, templates/<view>.*.html, are parsed after it, so that they can
		// fill its blocks (e.g. compare.save.html defining "save-comparison").
		partials, err := fs.Glob(templateFS, "templates/"+v+".*.html")
		if err != nil {
			return nil, err
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, append([]string{"templates/" + v + ".html"}, partials...)...)
		if err != nil {
			return nil, fmt.Errorf("view %s: %w", v, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("view %s defines no \"content\" template", v)
		}
		p.views[v] = t
	}
	return p, nil
}

// layout is what the shared layout shows around every page: the title, the navigation,
// and the banner of data that MLflow could not refresh.
type pageLayout struct {
	Refresh     int // seconds after which the page reloads itself; 0 never
	Title       string
	Nav         pageNav
	Stale       bool
	StaleReason string
	FetchedAt   string
	ReadFrom    string // "database" when the runs shown were read from MLflow's database
}

// nav is the header navigation. Links of a model appear once the page knows the model.
type pageNav struct {
	Active      string // home, dashboard, runs, deployments, insights, compare or run
	ModelName   string
	Dashboard   string
	Runs        string
	Deployments string
	Insights    string
	MLflow      string
}

// withExperiment fills the layout from the experiment a page shows.
func (l *pageLayout) withExperiment(exp mlexp.ExperimentRef) {
	l.Nav.ModelName = exp.ModelName
	l.Nav.Dashboard = dashboardURL(exp.ModelID, exp.DatasetID)
	l.Nav.Runs = runsURL(exp.ModelID, exp.DatasetID)
	l.Nav.Deployments = withQuery(deploymentsURL(exp.ModelID), url.Values{"dataset_id": {exp.DatasetID}})
	l.Nav.Insights = insightsURL(exp.ModelID, exp.DatasetID)
	l.Nav.MLflow = exp.MLflowURL
	l.Stale, l.StaleReason = exp.Stale, exp.StaleReason
	if !exp.FetchedAt.IsZero() {
		l.FetchedAt = exp.FetchedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
}

// render executes view into a buffer and writes it with status only when it is complete,
// so that a template error is a clean 500 rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, view string, data any) {
	var buf bytes.Buffer
	if err := s.pages.views[view].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.logger.ErrorContext(r.Context(), "rendering page", "view", view, "path", r.URL.Path, "err", err)
		buf.Reset()
		buf.WriteString("<!doctype html><meta charset=utf-8><title>Internal error</title><h1>Internal error</h1><p>Something went wrong on our side; it has been logged.</p>\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	// Scripts only from this server (app.js): an injected <script> or handler never runs.
	// Inline styles stay allowed for the SVG charts.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "+
		"script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.logger.DebugContext(r.Context(), "writing page", "path", r.URL.Path, "err", err)
	}
}

// handleStatic serves an embedded asset by its content-hash name; the name changes with
// the content, so browsers may keep it forever.
func (s *server) handleStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := s.pages.assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(a.body)
}

// page registers an HTML page at pattern, which ends in "/", and redirects the same path
// without its trailing slash to it.
func page(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	mux.HandleFunc(pattern+"{$}", h)
	mux.HandleFunc(strings.TrimSuffix(pattern, "/"), func(w http.ResponseWriter, r *http.Request) {
		u := *r.URL
		u.Path, u.RawPath = r.URL.Path+"/", ""
		if r.URL.RawPath != "" {
			u.RawPath = r.URL.RawPath + "/"
		}
		http.Redirect(w, r, u.RequestURI(), http.StatusMovedPermanently)
	})
}

// experimentPage starts a page of one experiment: it reads the runs the request names and
// lays the page out as "<model> · title" with the active navigation link. When the runs
// cannot be read it has rendered the error page, and ok is false.
func (s *server) experimentPage(w http.ResponseWriter, r *http.Request, title, active string) (e *explore.Experiment, l pageLayout, ok bool) {
	e, err := s.explore.Open(r.Context(), targetOf(r))
	if err != nil {
		s.pageError(w, r, err)
		return nil, l, false
	}
	l.withExperiment(e.Ref)
	if s.readPath != nil {
		l.ReadFrom = s.readPath(e.Ref.ExperimentID)
	}
	l.Title, l.Nav.Active = e.Ref.ModelName+" · "+title, active
	return e, l, true
}
