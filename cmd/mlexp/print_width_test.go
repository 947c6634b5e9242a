package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/golden"
	"github.com/mlexp-dev/mlexp/terminal"
)

// TestPlainScreensFitTheWidth: best, deployments and outbox list fit 80 and 120 columns
// (golden files at both), with their run ids, item ids and keys whole.
func TestPlainScreensFitTheWidth(t *testing.T) {
	const runA, runB = "7a1f487849c24f73bbcf47f5083bb31f", "d6268ac049194ce6814604e55e82cb76"
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	best := &mlexp.Best{Query: mlexp.BestQuery{Metric: mlexp.MetricRecallAt100}, Eligible: true, Considered: 24,
		Gates: []mlexp.GateCount{{Gate: "run_type", Rule: "run_type is full_training", Removed: 20},
			{Gate: "model_uri", Rule: "has a model: a logged model, an MLmodel artifact directory or model/model_uri.txt"}},
		Run: &mlexp.BestCandidate{RunID: runA, RunName: "config-012 Full Training #4", RunType: mlexp.FullTrainingRun, ConfigName: "config-012",
			ValueText: "46.6%", ModelURI: "gs://demo-bucket/models/4", Model: &mlexp.RunModel{Source: "model_uri_file"}, DatasetID: "demo-dataset", DatasetVersion: "1"},
		RunnerUp: &mlexp.BestCandidate{RunID: runB, RunName: "config-011 Full Training #3", ValueText: "45.7%"}, Lead: &mlexp.Margin{Text: "+0.9 pp"},
		Deployed: &mlexp.BestCandidate{RunID: runB, RunName: "config-011 Full Training #3", ValueText: "45.7%"}, OverDeployed: &mlexp.Margin{Text: "+0.9 pp"}}
	deps := []mlexp.Deployment{
		{Seq: 2, Action: mlexp.ActionRollback, RunID: runB, RunName: "config-011 Full Training #3", PreviousRunID: runA,
			PreviousRunName: "config-012 Full Training #4", PromotedBy: "carol", PromotedAt: at, Version: "1", Note: "recall dropped in the A/B test"},
		{Seq: 1, Action: mlexp.ActionPromote, RunID: runA, RunName: "config-012 Full Training #4", PromotedBy: "mlexp demo", PromotedAt: at.Add(-time.Hour)}}
	items := []mlexp.OutboxItem{
		{ID: "f191c23f4d64e0e36914b025", Kind: "training_run", Status: mlexp.OutboxDelivered, Attempts: 1, UpdatedAt: at,
			IdempotencyKey: "full-training/demo-model/demo-dataset/config-009/2", RunID: runA},
		{ID: "aaba9b18f1a1a81432056934", Kind: "quick_test", Status: mlexp.OutboxFailed, Attempts: 3, UpdatedAt: at,
			IdempotencyKey: "quick-test/a-model-with-a-rather-long-id-1796233267855566984/dataset-001/config-042/1",
			LastError:      "mlflow runs/log-batch: BAD_REQUEST (HTTP 400): UNIQUE constraint failed: params.key"}}
	counts := map[string]int{mlexp.OutboxDelivered: 1, mlexp.OutboxFailed: 1}
	screens := []struct {
		name string
		draw func(*bytes.Buffer, terminal.Options) error
		keep []string
	}{
		{"best", func(b *bytes.Buffer, o terminal.Options) error { return printBest(b, best, o) }, []string{runA, "mlexp deploy " + runA}},
		{"deployments", func(b *bytes.Buffer, o terminal.Options) error { return printDeployments(b, "demo-model", deps, o) }, []string{runA, runB}},
		{"outbox", func(b *bytes.Buffer, o terminal.Options) error {
			return printOutboxItems(b, items, counts, "all", o)
		}, []string{items[0].ID, items[1].ID, items[0].IdempotencyKey, "mlexp outbox retry " + items[1].ID}},
	}
	for _, s := range screens {
		for _, width := range []int{80, 120} {
			var b bytes.Buffer
			if err := s.draw(&b, terminal.Options{Width: width}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			golden.Check(t, fmt.Sprintf("%s_width%d.txt", s.name, width), b.Bytes())
			for i, l := range strings.Split(out, "\n") {
				// an outbox key is never cut: it names the result
				if w := terminal.StringWidth(l); w > width && !strings.HasPrefix(l, "  key: ") {
					t.Errorf("%s at width %d: line %d is %d columns: %s", s.name, width, i+1, w, l)
				}
			}
			for _, k := range s.keep {
				if !strings.Contains(out, k) {
					t.Errorf("%s at width %d lacks %q:\n%s", s.name, width, k, out)
				}
			}
		}
	}
}
