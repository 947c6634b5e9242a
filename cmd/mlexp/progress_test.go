package main

import (
	"bytes"
	"testing"
)

func TestProgressLineRewritesOneLine(t *testing.T) {
	var out bytes.Buffer
	p := &progressLine{w: &out}
	p.clear() // nothing shown: nothing to clear
	p.update(2000)
	p.update(45000)
	p.clear()
	want := "\r\033[KLoading runs from MLflow: 2,000 read\r\033[KLoading runs from MLflow: 45,000 read\r\033[K"
	if out.String() != want {
		t.Errorf("progress wrote %q, want %q", out.String(), want)
	}
}
