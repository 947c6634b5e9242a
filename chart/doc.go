// Package chart draws mlexp results as SVG and PNG images: the heatmap (SVG, and PNG
// rendered on the server without a browser), parallel coordinates (SVG), the training
// curves of a full training (PNG), and scatter plots (SVG) such as quick test against full
// training or a Pareto front of metric against cost.
//
// The SVG charts are written by hand and measure their text with the Liberation fonts;
// the training curves are drawn with gonum.org/v1/plot. The package does no I/O: callers
// write the bytes where they want. It draws nothing for the terminal: the CLI's text
// screens are package terminal's.
package chart
