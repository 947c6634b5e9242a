package sample

import "github.com/mlexp-dev/mlexp"

// AxisRuns are four finished quick tests over embedding sizes and cross features (crosses
// given in different orders), one without metrics: runs for tests of axes and filters.
func AxisRuns() []mlexp.Run {
	return []mlexp.Run{
		axisRun("a", map[string]string{"user_id_embedding_dim": "32", "product_id_embedding_dim": "32", "cross_features": "none"}, mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.40})),
		axisRun("b", map[string]string{"user_id_embedding_dim": "64", "product_id_embedding_dim": "64", "cross_features": "user_id_x_city,category_x_subcategory"}, mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.47})),
		axisRun("c", map[string]string{"user_id_embedding_dim": "64", "product_id_embedding_dim": "64", "cross_features": "subcategory_x_category,city_x_user_id"}, mlexp.NewMetricValues(map[string]float64{"recall_at_100": 0.46})),
		axisRun("d", map[string]string{"user_id_embedding_dim": "128", "product_id_embedding_dim": "64"}, mlexp.NewMetricValues(map[string]float64{})),
	}
}

func axisRun(id string, params map[string]string, metrics mlexp.MetricValues) mlexp.Run {
	r := mlexp.Run{ID: id, Params: mlexp.NewParams(params), Metrics: metrics, Status: mlexp.RunFinished, Type: mlexp.QuickTestRun}
	r.Prepare()
	return r
}
