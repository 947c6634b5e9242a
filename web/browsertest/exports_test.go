package browsertest

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestExports follows the export links of the dashboard and of the runs page, as a user
// would: the browser downloads the files into a temporary directory.
func TestExports(t *testing.T) {
	tb := newTab(t, 1280, 900)
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorDefault})
	})
	tb.open(dashboardPath())
	cells := tb.count(".chart svg g.cell")

	csvFile, name := tb.download(dir, `a.button[href*="/heatmap.csv?"]`)
	if !strings.HasSuffix(name, ".csv") {
		t.Errorf("the CSV export is named %q", name)
	}
	records, err := csv.NewReader(bytes.NewReader(csvFile)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV export does not parse: %v\n%s", err, clip(string(csvFile)))
	}
	if len(records) == 0 || strings.Join(records[0][:6], ",") != "x_axis,x,x_label,y_axis,y,y_label" {
		t.Fatalf("CSV header %q", records[0])
	}
	if len(records)-1 != cells {
		t.Errorf("the CSV has %d rows, the heatmap on the page %d cells", len(records)-1, cells)
	}

	svgFile, name := tb.download(dir, `a.button[href*="/heatmap.svg?"]`)
	if !strings.HasSuffix(name, ".svg") {
		t.Errorf("the SVG export is named %q", name)
	}
	if n, err := countCells(svgFile); err != nil {
		t.Errorf("the SVG export is not XML: %v", err)
	} else if n != cells {
		t.Errorf("the SVG export has %d g.cell, the page %d", n, cells)
	}

	pngFile, name := tb.download(dir, `a.button[href*="/heatmap.png?"]`)
	if !strings.HasSuffix(name, ".png") {
		t.Errorf("the PNG export is named %q", name)
	}
	if img, err := png.Decode(bytes.NewReader(pngFile)); err != nil {
		t.Errorf("the PNG export does not decode: %v", err)
	} else if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 200 {
		t.Errorf("the PNG export is %v", b)
	}

	tb.open(runsPath(w.Dataset))
	runsFile, name := tb.download(dir, `a.button[href*="format=csv"], a.button[download]`)
	if !strings.HasSuffix(name, ".csv") {
		t.Errorf("the runs export is named %q", name)
	}
	records, err = csv.NewReader(bytes.NewReader(runsFile)).ReadAll()
	if err != nil {
		t.Fatalf("the runs CSV does not parse: %v\n%s", err, clip(string(runsFile)))
	}
	if want := len(w.Set.QuickTests) + len(w.Set.TrainingRuns) + 1; len(records) != want {
		t.Errorf("the runs CSV has %d lines, want a header and one per run (%d)", len(records), want)
	}
}

// download clicks the link and returns the file the browser saved, and its suggested name.
func (tb *tab) download(dir, selector string) ([]byte, string) {
	tb.t.Helper()
	begin := chromedp.BrowserEvents(tb.ctx, browser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(tb.ctx, browser.DownloadProgress)
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		tb.t.Fatalf("clicking %s: %v", selector, err)
	}
	var started browser.EventDownloadWillBegin
	for ev, err := range begin {
		if err != nil {
			tb.t.Fatalf("clicking %s started no download: %v", selector, err)
		}
		started = ev
		break
	}
	for ev, err := range progress {
		if err != nil {
			tb.t.Fatalf("the download of %s did not finish: %v", started.URL, err)
		}
		if ev.GUID != started.GUID {
			continue
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			tb.t.Fatalf("the download of %s was canceled", started.URL)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, started.GUID))
	if err != nil {
		tb.t.Fatalf("the download of %s: %v", started.URL, err)
	}
	return b, started.SuggestedFilename
}

// countCells parses an SVG document and counts its <g class="cell ...">.
func countCells(doc []byte) (int, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	n, root := 0, ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			for _, a := range se.Attr {
				if se.Name.Local == "g" && a.Name.Local == "class" && slices.Contains(strings.Fields(a.Value), "cell") {
					n++
				}
			}
		}
	}
	if root != "svg" {
		return n, fmt.Errorf("the root element is <%s>, not <svg>", root)
	}
	return n, nil
}
