package chart

import (
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// HeatmapSVG draws a heatmap as a standalone SVG document.
//
// Rows are the y-axis values top to bottom, columns the x-axis values left to right, both in
// the heatmap's order. Every cell is a <g class="cell"> (plus "best", "deployed", "empty")
// with data-x, data-y, data-value (empty for an empty cell), data-n, data-run-id and
// data-run-ids (space separated), on a cell with the deployed run data-deployed-run-id and
// data-deployed-value (● stands beside the value only when it is the deployed run's; else
// under it, with the deployed run's own value), a <title> for hovering, a <rect> coloured on the viridis
// scale (brighter is better, whichever the metric's direction) and the value as text; it is
// wrapped in <a href> when opts.Link gives a URL. All text is XML-escaped.
func HeatmapSVG(h *mlexp.Heatmap, opts SVGOptions) ([]byte, error) {
	if h == nil {
		return nil, mlexp.Errorf(mlexp.EINVALID, "no heatmap to draw")
	}
	l, err := layoutHeatmap(h, opts)
	if err != nil {
		return nil, err
	}
	return l.svg(h, opts), nil
}

// svg writes the heatmap as an SVG document.
func (l *hmLayout) svg(h *mlexp.Heatmap, opts SVGOptions) []byte {
	w := &svgWriter{}
	id := l.id
	w.printf(`<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="mlexp-chart mlexp-heatmap" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-title %s-desc" font-family="%s" data-metric="%s" data-direction="%s">`+"\n",
		id, svgNum(l.width), svgNum(l.height), svgNum(l.width), svgNum(l.height), id, id, xmlEsc(svgFontFamily), xmlEsc(l.metric), l.direction)
	w.printf(`<title id="%s-title">%s</title>`+"\n", id, xmlEsc(l.name))
	w.printf(`<desc id="%s-desc">%s</desc>`+"\n", id, xmlEsc(l.desc))
	w.printf(`<defs>` + "\n")
	w.printf(`<pattern id="%s-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="%s"/><path d="M0 0v6" stroke="%s" stroke-width="2"/></pattern>`+"\n",
		id, hexColor(svgHatchBg), hexColor(svgHatchLine))
	w.printf(`<linearGradient id="%s-scale">`, id)
	w.scaleStops()
	w.printf("</linearGradient>\n</defs>\n")
	w.printf(`<rect class="background" width="%s" height="%s" fill="#ffffff"/>`+"\n", svgNum(l.width), svgNum(l.height))
	for _, lb := range l.labels {
		w.label(lb)
	}
	w.printf(`<g class="cells">` + "\n")
	for _, b := range l.cells {
		l.cellSVG(w, b, opts)
	}
	w.printf("</g>\n")
	w.legend(l.key, id)
	w.printf("</svg>\n")
	return w.Bytes()
}

// cellSVG writes one cell: its rectangle, value, marks and data, as a link to its runs when
// opts.Link gives one.
func (l *hmLayout) cellSVG(w *svgWriter, b hmCellBox, opts SVGOptions) {
	id := l.id
	c := b.cell
	href := ""
	if opts.Link != nil {
		href = opts.Link(c)
	}
	if href != "" {
		w.printf(`<a href="%s">`, xmlEsc(href))
	}
	class := "cell"
	for _, k := range []struct {
		on   bool
		name string
	}{{b.best, "best"}, {c.Deployed, "deployed"}, {b.empty, "empty"}} {
		if k.on {
			class += " " + k.name
		}
	}
	value := ""
	if v, ok := hmCellValue(c); ok {
		value = strconv.FormatFloat(v, 'g', -1, 64)
	}
	ids := c.RunIDs
	if opts.Link != nil && len(ids) > mlexp.MaxCellRunIDs { // on a page the cell links to all its runs
		ids = ids[:mlexp.MaxCellRunIDs]
	}
	w.printf(`<g class="%s" data-x="%s" data-y="%s" data-value="%s" data-n="%d" data-failed="%d" data-run-id="%s" data-run-ids="%s"`,
		class, xmlEsc(c.X), xmlEsc(c.Y), value, c.N, c.Failed, xmlEsc(c.RunID), xmlEsc(strings.Join(ids, " ")))
	if c.Deployed {
		w.printf(` data-deployed-run-id="%s" data-deployed-value="%s"`, xmlEsc(c.DeployedRunID), dataNumber(c.DeployedValue))
	}
	w.printf(">")
	w.printf("<title>%s</title>\n", xmlEsc(b.tip))
	fill := hexColor(b.fill)
	if b.empty {
		fill = "url(#" + id + "-hatch)"
	}
	w.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"`, svgNum(b.x), svgNum(b.y), svgNum(b.w), svgNum(b.h), fill)
	if b.best {
		w.printf(` stroke="%s" stroke-width="2"`, hexColor(textColorOn(b.fill)))
	}
	w.printf("/>\n")
	marks := ""
	if b.best {
		marks += "★"
	}
	if b.deployed {
		marks += "●"
	}
	if marks != "" {
		marks += " "
	}
	w.text(b.x+b.w/2, b.valueY, "middle", l.valueSize, !b.empty, b.ink, "value", marks+b.value, "")
	if b.sub != "" {
		w.text(b.x+b.w/2, b.subY, "middle", l.subSize, false, b.ink, "n", b.sub, "")
	}
	w.printf("</g>")
	if href != "" {
		w.printf("</a>")
	}
	w.printf("\n")
}
