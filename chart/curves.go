package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sort"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/mlexp-dev/mlexp"
)

// Size of the training-curves image in pixels, and the resolution that maps points to pixels.
const (
	curvesWidth  = 1200
	curvesHeight = 500
	dpi          = 96
)

// Series colours come from the Okabe–Ito palette, which stays distinguishable for the
// common forms of colour blindness; each series also has its own marker shape.
var (
	colorLoss      = color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF} // vermillion
	colorRecall10  = color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF} // blue
	colorRecall50  = color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF} // orange
	colorRecall100 = color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF} // bluish green
)

// series is one line of a panel: its legend name, style and points (epoch, value).
type series struct {
	name  string
	color color.RGBA
	glyph draw.GlyphDrawer
	pts   plotter.XYs
}

// TrainingCurves renders the per-epoch history of a full training as a PNG: loss and
// Recall@10/50/100 against the epoch, with labelled axes and a legend.
//
// The image is 1200×500 pixels with two panels: loss on the left, Recall@k in percent on
// the right. Metrics that are missing, NaN or infinite are skipped for that epoch, and a
// series without any value is left out. The output is the same for the same input.
func TrainingCurves(title string, history []mlexp.EpochMetrics) (png []byte, err error) {
	if len(history) == 0 {
		return nil, mlexp.Errorf(mlexp.EINVALID, "the training history has no epochs: there is nothing to draw")
	}
	// gonum/plot panics on some inputs it considers programming errors; a chart request
	// must fail with an error instead of taking the server down.
	defer func() {
		if r := recover(); r != nil {
			png = nil
			err = &mlexp.Error{Code: mlexp.EINTERNAL, Message: "cannot draw the training curves", Err: fmt.Errorf("plot: %v", r)}
		}
	}()

	loss := []series{
		collect("Loss", colorLoss, draw.CircleGlyph{}, history, 1, func(m mlexp.Metrics) *float64 { return m.Loss }),
	}
	recall := []series{
		collect(mlexp.MetricLabel(mlexp.MetricRecallAt10), colorRecall10, draw.CircleGlyph{}, history, 100, func(m mlexp.Metrics) *float64 { return m.RecallAt10 }),
		collect(mlexp.MetricLabel(mlexp.MetricRecallAt50), colorRecall50, draw.PyramidGlyph{}, history, 100, func(m mlexp.Metrics) *float64 { return m.RecallAt50 }),
		collect(mlexp.MetricLabel(mlexp.MetricRecallAt100), colorRecall100, draw.BoxGlyph{}, history, 100, func(m mlexp.Metrics) *float64 { return m.RecallAt100 }),
	}
	xmin, xmax := epochRange(history)
	plots := make([]*plot.Plot, 2)
	if plots[0], err = panel("Loss", "loss", loss, xmin, xmax, false); err != nil {
		return nil, err
	}
	if plots[1], err = panel("Recall@k", "recall (%)", recall, xmin, xmax, true); err != nil {
		return nil, err
	}

	w := vg.Length(curvesWidth) * vg.Inch / dpi
	h := vg.Length(curvesHeight) * vg.Inch / dpi
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	body := drawTitle(dc, title)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(36), PadLeft: vg.Points(8), PadRight: vg.Points(14), PadBottom: vg.Points(6)}
	placeLegend(plots[0], tiles.At(body, 0, 0), loss)
	placeLegend(plots[1], tiles.At(body, 1, 0), recall)
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, body)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}

	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, &mlexp.Error{Code: mlexp.EINTERNAL, Message: "cannot encode the training curves", Err: err}
	}
	return buf.Bytes(), nil
}

// collect gathers the finite values of one metric, multiplied by scale, sorted by epoch.
func collect(name string, c color.RGBA, g draw.GlyphDrawer, history []mlexp.EpochMetrics, scale float64, get func(mlexp.Metrics) *float64) series {
	s := series{name: name, color: c, glyph: g}
	for _, e := range history {
		v := get(e.Metrics)
		if v == nil {
			continue
		}
		y := *v * scale
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		s.pts = append(s.pts, plotter.XY{X: float64(e.Epoch), Y: y})
	}
	sort.SliceStable(s.pts, func(i, j int) bool { return s.pts[i].X < s.pts[j].X })
	return s
}

// epochRange returns the x range of the panels: all epochs of the history, even those
// without metrics, so that both panels share one x axis.
func epochRange(history []mlexp.EpochMetrics) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, e := range history {
		lo, hi = math.Min(lo, float64(e.Epoch)), math.Max(hi, float64(e.Epoch))
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5 // one epoch: a single tick in the middle
	}
	return lo, hi
}

// sans returns a Liberation Sans font of the given size in points.
func sans(size float64, weight xfont.Weight) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Weight: weight, Size: vg.Points(size)}
}

// drawTitle writes title centred on top of c and returns the area below it.
func drawTitle(c draw.Canvas, title string) draw.Canvas {
	sty := text.Style{Color: color.Black, Font: sans(16, xfont.WeightBold), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	title = fitText(sty, title, c.Size().X-vg.Points(20))
	top := vg.Points(8)
	if title != "" {
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y - top}, title)
	}
	c.Max.Y -= top + sty.Height("Mg") + vg.Points(10)
	return c
}

// fitText shortens s with an ellipsis until it is at most width wide.
func fitText(sty text.Style, s string, width vg.Length) string {
	r := []rune(s)
	for i := range r {
		if r[i] == '\n' || r[i] == '\r' || r[i] == '\t' {
			r[i] = ' ' // one line only
		}
	}
	s = string(r)
	for len(r) > 0 && sty.Width(s) > width {
		r = r[:len(r)-1]
		s = string(r) + "…"
	}
	return s
}

// panel builds one plot of the figure; percent marks the Recall@k panel.
func panel(name, ylabel string, ss []series, xmin, xmax float64, percent bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = name
	p.Title.TextStyle.Font = sans(14, xfont.WeightBold)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(13, xfont.WeightNormal)
		a.Tick.Label.Font = sans(11, xfont.WeightNormal)
	}
	p.X.Label.Text, p.Y.Label.Text = "epoch", ylabel
	p.X.Tick.Marker = plot.TickerFunc(epochTicks)
	p.Legend.TextStyle.Font = sans(12, xfont.WeightNormal)
	p.Legend.ThumbnailWidth = vg.Points(28)
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xDC}
	grid.Horizontal.Color = color.Gray{Y: 0xDC}
	p.Add(grid)

	drawn := false
	for _, s := range ss {
		if len(s.pts) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(s.pts)
		if err != nil {
			return nil, &mlexp.Error{Code: mlexp.EINTERNAL, Message: "cannot draw the training curves", Err: err}
		}
		l.Color, l.Width = s.color, vg.Points(2)
		sc.Color, sc.Shape, sc.Radius = s.color, s.glyph, vg.Points(3.5)
		p.Add(l, sc)
		p.Legend.Add(s.name, l, sc)
		drawn = true
	}
	p.X.Min, p.X.Max = xmin, xmax
	if !drawn {
		p.Y.Min, p.Y.Max = 0, 1
		if percent {
			p.Y.Max = 100
		}
		msg, err := plotter.NewLabels(plotter.XYLabels{
			XYs:    plotter.XYs{{X: (xmin + xmax) / 2, Y: (p.Y.Min + p.Y.Max) / 2}},
			Labels: []string{"no values reported"},
		})
		if err != nil {
			return nil, &mlexp.Error{Code: mlexp.EINTERNAL, Message: "cannot draw the training curves", Err: err}
		}
		msg.TextStyle[0].Font = sans(13, xfont.WeightNormal)
		msg.TextStyle[0].XAlign, msg.TextStyle[0].YAlign = draw.XCenter, draw.YCenter
		msg.TextStyle[0].Color = color.Gray{Y: 0x60}
		p.Add(msg)
		return p, nil
	}
	if math.IsInf(p.Y.Max-p.Y.Min, 0) {
		return nil, mlexp.Errorf(mlexp.EINVALID, "the %s values are too far apart to draw", ylabel)
	}
	p.Y.Tick.Marker = valueTicks{max: math.Inf(1)}
	minPad := 1e-3
	if percent {
		p.Y.Tick.Marker = valueTicks{max: math.Max(100, p.Y.Max)}
		minPad = 1 // percentage point
	}
	if v := p.Y.Min; v == p.Y.Max { // a constant series: give it some room above and below
		d := math.Max(math.Abs(v)*0.1, minPad)
		p.Y.Min, p.Y.Max = v-d, v+d
		if math.IsInf(p.Y.Max, 0) || percent && v <= 100 && p.Y.Max > 100 {
			p.Y.Max = v
		}
		if math.IsInf(p.Y.Min, 0) || percent && v >= 0 && p.Y.Min < 0 {
			p.Y.Min = v
		}
	}
	return p, nil
}
