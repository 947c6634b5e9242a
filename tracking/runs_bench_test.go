package tracking_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

// mlflowPage is a runs/search answer of n runs shaped like the demo's: about 20 params,
// 8 metrics and 8 tags each.
func mlflowPage(n int) []byte {
	runs := make([]mlflow.Run, n)
	for i := range runs {
		r := &runs[i]
		r.Info = mlflow.RunInfo{RunID: fmt.Sprintf("%032x", i), RunName: fmt.Sprintf("config-%03d Quick Test #%d", i%40, i), ExperimentID: "1",
			Status: "FINISHED", StartTime: 1_764_000_000_000 + int64(i)*60_000, EndTime: 1_764_000_480_000 + int64(i)*60_000, LifecycleStage: "active"}
		for _, k := range []string{"run_type", "config_id", "data_sample_percent", "epochs", "cross_features", "query_tower", "candidate_tower", "revenue_buckets",
			"user_id_embedding_dim", "city_embedding_dim", "product_id_embedding_dim", "product_name_embedding_dim", "category_embedding_dim",
			"subcategory_embedding_dim", "category_x_subcategory_buckets", "user_id_x_city_buckets", "batch_size", "training_run_id", "seed", "optimizer"} {
			r.Data.Params = append(r.Data.Params, mlflow.Param{Key: k, Value: "64"})
		}
		for _, k := range []string{"loss", "recall_at_10", "recall_at_50", "recall_at_100", "cost_usd", "final_loss", "ndcg_at_10", "mrr"} {
			r.Data.Metrics = append(r.Data.Metrics, mlflow.Metric{Key: k, Value: 0.4, Timestamp: 1_764_000_480_000})
		}
		for _, k := range []string{"mlflow.runName", "dataset_id", "dataset_version", "feature_config_id", "mlexp.idempotency_key", "mlflow.user", "mlflow.source.name", "is_deployed"} {
			r.Data.Tags = append(r.Data.Tags, mlflow.Tag{Key: k, Value: "value"})
		}
	}
	b, _ := json.Marshal(map[string]any{"runs": runs})
	return b
}

// BenchmarkNormalizePage measures turning a page of 1,000 MLflow runs into domain runs,
// without and with decoding the JSON of the answer.
func BenchmarkNormalizePage(b *testing.B) {
	body := mlflowPage(1000)
	var page struct {
		Runs []mlflow.Run `json:"runs"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		b.Fatal(err)
	}
	b.Run("ToRun", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range page.Runs {
				_ = tracking.ToRun(&page.Runs[i])
			}
		}
	})
	b.Run("DecodeAndToRun", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var p struct {
				Runs []mlflow.Run `json:"runs"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				b.Fatal(err)
			}
			for i := range p.Runs {
				_ = tracking.ToRun(&p.Runs[i])
			}
		}
	})
}
