package chart

import (
	"cmp"
	"fmt"
	"image/color"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// The lineage graph's geometry: one column per stage (an execution above the artifacts it
// output), left to right from the dataset to the pushed model.
const (
	lgBoxW     = 200.0
	lgColGap   = 56.0
	lgExecH    = 46.0
	lgArtH     = 64.0
	lgGap      = 10.0 // between an execution and its outputs, and between outputs
	lgStageGap = 26.0 // between two stages of one column
	lgMargin   = 16.0
	lgTop      = 40.0
	lgPad      = 8.0 // inside a box
)

var (
	lgExecFill = color.RGBA{R: 0xee, G: 0xf2, B: 0xf7, A: 0xff}
	lgArtFill  = color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	lgStroke   = color.RGBA{R: 0x8c, G: 0x95, B: 0x9f, A: 0xff}
	lgAccent   = color.RGBA{R: 0x1f, G: 0x5f, B: 0xbf, A: 0xff} // this run's trainer and model
	lgEdge     = color.RGBA{R: 0x6e, G: 0x77, B: 0x81, A: 0xff}
)

// lgBox is a node placed on the graph.
type lgBox struct {
	n          *mlexp.LineageNode
	x, y, w, h float64
}

// LineageSVG draws the ML Metadata lineage of a run's model as an SVG graph: each execution
// above the artifacts it output, stages left to right, arrows from an artifact to the
// executions that took it as input. Every box gives the node's type, name, URI (artifacts),
// key properties and time, and its whole record as a tooltip; the run's trainer and model
// are outlined in blue.
func LineageSVG(l *mlexp.Lineage, o SVGOptions) ([]byte, error) {
	m, err := newTextMeasurer()
	if err != nil {
		return nil, err
	}
	boxes, w, h := lgLayout(l)
	id := svgID(o.ID, "mlexp-lineage")
	var b svgWriter
	b.printf(`<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="mlexp-lineage" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%s-title %s-desc" font-family="%s">`,
		id, svgNum(w), svgNum(h), svgNum(w), svgNum(h), id, id, svgFontFamily)
	title := cmp.Or(o.Title, "Lineage of run "+l.RunID)
	b.printf(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, xmlEsc(title), id, xmlEsc(lgDesc(l)))
	b.printf(`<defs><marker id="%s-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0L8,4L0,8z" fill="%s"/></marker></defs>`, id, hexColor(lgEdge))
	b.printf(`<rect width="100%%" height="100%%" fill="#ffffff"/>`)
	b.text(lgMargin, 22, "start", 14, true, svgInk, "title", title, "")
	lgEdges(&b, l, boxes, id)
	for _, bx := range boxes {
		lgNode(&b, m, bx, bx.n.ID == l.TrainerID || bx.n.ID == l.ModelID)
	}
	b.printf(`</svg>`)
	return b.Bytes(), nil
}

// lgLayout places every node: columns from LineageStages, stages stacked in a column.
func lgLayout(l *mlexp.Lineage) (map[string]*lgBox, float64, float64) {
	boxes := map[string]*lgBox{}
	cols := l.LineageStages()
	height := lgTop
	for c, column := range cols {
		x, y := lgMargin+float64(c)*(lgBoxW+lgColGap), lgTop
		for _, s := range column {
			if s.Execution != nil {
				boxes[s.Execution.ID] = &lgBox{n: s.Execution, x: x, y: y, w: lgBoxW, h: lgExecH}
				y += lgExecH + lgGap
			}
			for _, a := range s.Outputs {
				boxes[a.ID] = &lgBox{n: a, x: x + 12, y: y, w: lgBoxW - 12, h: lgArtH}
				y += lgArtH + lgGap
			}
			y += lgStageGap
		}
		height = max(height, y)
	}
	return boxes, 2*lgMargin + float64(len(cols))*(lgBoxW+lgColGap) - lgColGap, height
}

// lgEdges draws the input events as arrows from the artifact to the execution, and the
// output events as a rule from the execution down the left of its outputs.
func lgEdges(b *svgWriter, l *mlexp.Lineage, boxes map[string]*lgBox, id string) {
	for _, e := range l.Edges {
		a, x := boxes[e.Artifact], boxes[e.Execution]
		if a == nil || x == nil {
			continue
		}
		if e.Kind == mlexp.LineageOutputEdge {
			b.printf(`<path d="M%s,%sV%sH%s" fill="none" stroke="%s" stroke-width="1"/>`,
				svgNum(x.x+6), svgNum(x.y+x.h), svgNum(a.y+a.h/2), svgNum(a.x), hexColor(lgEdge))
			continue
		}
		x0, y0, x1, y1 := a.x+a.w, a.y+a.h/2, x.x, x.y+x.h/2
		if x1 <= x0 { // an input drawn in a later column (a cycle): from its left side
			x0 = a.x
		}
		mid := (x0 + x1) / 2
		b.printf(`<path d="M%s,%sC%s,%s %s,%s %s,%s" fill="none" stroke="%s" stroke-width="1.2" marker-end="url(#%s-arrow)"><title>%s</title></path>`,
			svgNum(x0), svgNum(y0), svgNum(mid), svgNum(y0), svgNum(mid), svgNum(y1), svgNum(x1), svgNum(y1),
			hexColor(lgEdge), id, xmlEsc(a.n.Name+" → "+x.n.Name))
	}
}

// lgNode draws one box: type (bold) and name; then URI and key properties (artifacts) or
// state; the time.
func lgNode(b *svgWriter, m *textMeasurer, bx *lgBox, this bool) {
	n := bx.n
	fill, stroke, sw := lgArtFill, lgStroke, 1.0
	if n.Kind == mlexp.LineageExecution {
		fill = lgExecFill
	}
	if this {
		stroke, sw = lgAccent, 2.5
	}
	b.printf(`<g class="lineage-node %s" data-id="%s"><title>%s</title>`, n.Kind, xmlEsc(n.ID), xmlEsc(lgTip(n)))
	b.printf(`<rect x="%s" y="%s" width="%s" height="%s" rx="5" fill="%s" stroke="%s" stroke-width="%s"/>`,
		svgNum(bx.x), svgNum(bx.y), svgNum(bx.w), svgNum(bx.h), hexColor(fill), hexColor(stroke), svgNum(sw))
	inner := bx.w - 2*lgPad
	x, y := bx.x+lgPad, bx.y+15
	b.text(x, y, "start", 11, true, svgInk, "", m.fit(n.Type+"  "+n.Name, inner, 11, true), "")
	var lines []string
	if n.Kind == mlexp.LineageArtifact {
		lines = append(lines, n.URI, strings.Join(n.KeyProperties(3), " "))
	} else {
		lines = append(lines, strings.TrimSpace(n.State+"  "+strings.Join(n.KeyProperties(2), " ")))
	}
	if !n.Created.IsZero() {
		lines[len(lines)-1] = strings.TrimSpace(lines[len(lines)-1] + "  " + n.Created.UTC().Format("2006-01-02 15:04"))
	}
	for _, line := range lines {
		y += 14
		b.text(x, y, "start", 10, false, svgMuted, "", m.fit(line, inner, 10, false), "")
	}
	b.printf("</g>\n")
}

// lgTip is a node's whole record, for its tooltip.
func lgTip(n *mlexp.LineageNode) string {
	parts := []string{fmt.Sprintf("%s %s (%s)", n.Type, n.Name, n.ID)}
	if n.URI != "" {
		parts = append(parts, n.URI)
	}
	if n.State != "" {
		parts = append(parts, "state "+n.State)
	}
	parts = append(parts, n.KeyProperties(len(n.Properties))...)
	if !n.Created.IsZero() {
		parts = append(parts, "created "+n.Created.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return strings.Join(parts, "\n")
}

// lgDesc says in words what the graph shows, for screen readers.
func lgDesc(l *mlexp.Lineage) string {
	var execs, arts []string
	for _, n := range l.Nodes {
		if n.Kind == mlexp.LineageExecution {
			execs = append(execs, n.Type+" "+n.Name)
		} else {
			arts = append(arts, n.Type+" "+n.Name)
		}
	}
	return fmt.Sprintf("%d executions (%s) and %d artifacts (%s) in ML Metadata.",
		len(execs), strings.Join(execs, ", "), len(arts), strings.Join(arts, ", "))
}
