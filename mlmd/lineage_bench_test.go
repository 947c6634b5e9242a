package mlmd_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/internal/mlmdtest"
	"github.com/mlexp-dev/mlexp/mlmd"
)

// BenchmarkLineage measures the lineage of one run on a SQLite store of thousands of
// artifacts (design §8: under 50 ms). Each case links the run a different way: by a tag,
// by the execution's external_id, by a custom property (a scan of the properties) and by
// the model URI.
func BenchmarkLineage(b *testing.B) {
	spec := mlmdtest.Spec{Filler: 600, Trainings: []mlmdtest.Training{
		{Key: "base", RunID: "run-base", Link: "external_id", Blessed: true, Pushed: true},
		{Key: "ext", RunID: "run-ext", Link: "external_id", Base: "base", Blessed: true, Pushed: true},
		{Key: "prop", RunID: "run-prop", Link: "property", Blessed: true},
		{Key: "uri", RunID: "run-uri", Link: "uri", ModelURI: "gs://models/bench"},
	}}
	path, written := mlmdtest.WriteSQLite(b, spec)
	store, err := mlmd.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	artifacts := countArtifacts(b, path)
	if artifacts < 2000 {
		b.Fatalf("the store has %d artifacts, want thousands", artifacts)
	}
	for _, c := range []struct {
		name string
		ref  mlexp.LineageRef
	}{
		{"tag", mlexp.LineageRef{RunID: "run-ext", ExecutionID: written["ext"].ExecutionID}},
		{"external_id", mlexp.LineageRef{RunID: "run-ext"}},
		{"property", mlexp.LineageRef{RunID: "run-prop"}},
		{"model_uri", mlexp.LineageRef{RunID: "run-uri", ModelURI: "gs://models/bench"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				l, err := store.Lineage(context.Background(), c.ref)
				if err != nil || l.LinkedBy == "" {
					b.Fatal(l, err)
				}
			}
			b.ReportMetric(float64(artifacts), "artifacts")
		})
	}
}

func countArtifacts(b *testing.B, path string) int {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM Artifact`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
