package chart

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

const svgHostile = `<img src=x onerror=alert(1)>`

func numP(v float64) *mlexp.Number { x := mlexp.Number(v); return &x }

// sample writes b to $CHART_SAMPLES/name, to look at the charts.
func svgSample(tb testing.TB, name string, b []byte) {
	if dir := os.Getenv("CHART_SAMPLES"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// xmlNode is an element of a parsed SVG.
type xmlNode struct {
	name     string
	attrs    map[string]string
	children []*xmlNode
	text     string // character data directly inside
}

// parseSVG decodes every token of an SVG, failing on malformed XML, and returns its root.
func parseSVG(tb testing.TB, b []byte) *xmlNode {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("the SVG is not well-formed XML: %v\n%s", err, b)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &xmlNode{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			} else if root == nil {
				root = e
			} else {
				tb.Fatal("the SVG has two root elements")
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil || root.name != "svg" {
		tb.Fatalf("the root element is not <svg>: %s", b)
	}
	if root.attrs["xmlns"] != "http://www.w3.org/2000/svg" || root.attrs["viewBox"] == "" || root.attrs["role"] != "img" {
		tb.Fatalf("the <svg> lacks xmlns, viewBox or role: %v", root.attrs)
	}
	if len(root.children) < 2 || root.children[0].name != "title" || root.children[1].name != "desc" ||
		strings.TrimSpace(root.children[0].text) == "" || strings.TrimSpace(root.children[1].text) == "" {
		tb.Fatal("the <svg> does not start with a <title> and a <desc>")
	}
	return root
}

// find returns the elements under e, e included, for which ok is true, in document order.
func (e *xmlNode) find(ok func(*xmlNode) bool) []*xmlNode {
	var out []*xmlNode
	if ok(e) {
		out = append(out, e)
	}
	for _, c := range e.children {
		out = append(out, c.find(ok)...)
	}
	return out
}

func (e *xmlNode) hasClass(c string) bool {
	for _, k := range strings.Fields(e.attrs["class"]) {
		if k == c {
			return true
		}
	}
	return false
}

// allText is the character data of e and its descendants but <title>s, space separated.
func (e *xmlNode) allText() string {
	parts := []string{e.text}
	for _, c := range e.children {
		if c.name != "title" {
			parts = append(parts, c.allText())
		}
	}
	return strings.Join(parts, " ")
}

func (e *xmlNode) child(name string) *xmlNode {
	for _, c := range e.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func svgClass(c string) func(*xmlNode) bool {
	return func(e *xmlNode) bool { return e.hasClass(c) }
}

func svgSize(tb testing.TB, root *xmlNode) (w, h float64) {
	tb.Helper()
	w, err1 := strconv.ParseFloat(root.attrs["width"], 64)
	h, err2 := strconv.ParseFloat(root.attrs["height"], 64)
	if err1 != nil || err2 != nil || root.attrs["viewBox"] != "0 0 "+root.attrs["width"]+" "+root.attrs["height"] {
		tb.Fatalf("bad size: %v", root.attrs)
	}
	return w, h
}
