package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/mlexp-dev/mlexp"
)

// progressLine tells, on one line of a terminal that it rewrites, how many runs a query
// command has read from MLflow so far: reading a large experiment takes minutes.
type progressLine struct {
	w     io.Writer
	mu    sync.Mutex
	shown bool
}

// update shows read runs.
func (p *progressLine) update(read int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shown = true
	fmt.Fprintf(p.w, "\r\033[KLoading runs from MLflow: %s read", mlexp.FormatCount(read))
}

// clear removes the line once the runs are in.
func (p *progressLine) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
