package browsertest

import (
	"bytes"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestScreenshots takes the screenshots of the documentation at 1280×900: the dashboard,
// a comparison, the runs page at its parallel coordinates, and the insights. Every run
// takes them and checks them; only -screenshots (or MLEXP_SCREENSHOTS=1) writes them to
// docs/screenshots.
func TestScreenshots(t *testing.T) {
	shots := []struct {
		name, path string
		atParallel bool // scrolled down to the parallel coordinates
	}{
		{"dashboard", dashboardPath(), false},
		{"compare", comparePath(w.Full[w.Set.Deployed], w.Full[bestFull()], w.Quick[bestQuick()]), false},
		{"runs", runsPath(w.Dataset), true},
		{"insights", "/models/" + url.PathEscape(w.Model.ID) + "/insights/?dataset_id=" + url.QueryEscape(w.Dataset.ID), false},
	}
	dir := filepath.Join(w.Root, "docs", "screenshots")
	for _, s := range shots {
		t.Run(s.name, func(t *testing.T) {
			tb := newTab(t, 1280, 900)
			tb.open(s.path)
			if s.atParallel {
				// The end of the runs table, two runs selected, and the parallel coordinates.
				ok := eval[bool](tb, `(() => {
					const rows = [...document.querySelectorAll("table.runs tbody tr")];
					if (rows.length < 3) return false;
					for (const r of rows.slice(-2)) r.querySelector("input[type=checkbox]").click();
					window.scrollTo(0, rows[rows.length - 3].getBoundingClientRect().top + window.scrollY);
					return true;
				})()`)
				if !ok {
					t.Fatal("the runs page has fewer than 3 runs")
				}
				if got := tb.text("button[data-compare-count]"); got != "Compare Selected (2)" {
					t.Errorf("the Compare button says %q after selecting two runs", got)
				}
			}
			buf, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(buf))
			if err != nil {
				t.Fatalf("the screenshot does not decode: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 900 {
				t.Errorf("the screenshot is %dx%d, want 1280x900", b.Dx(), b.Dy())
			}
			if !*screenshots {
				return
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, s.name+".png")
			if err := os.WriteFile(file, buf, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", file)
		})
	}
}
