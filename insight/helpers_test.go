package insight

import (
	"fmt"
	"time"

	"github.com/mlexp-dev/mlexp"
)

// runs builds test runs; ids are unique and starts increase in the order made.
type runs struct {
	list []mlexp.Run
}

// add adds a finished run of type typ and config with metric = v and params as key, value pairs.
func (rs *runs) add(typ mlexp.RunType, config, metric string, v float64, params ...string) *mlexp.Run {
	n := len(rs.list) + 1
	r := mlexp.Run{ID: fmt.Sprintf("r%02d", n), Name: fmt.Sprintf("%s %s #%d", config, typ.Label(), n), Type: typ,
		ConfigID: config, ConfigName: config, Status: mlexp.RunFinished,
		Start:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour),
		Params: mlexp.NewParams(map[string]string{"config_id": config, "run_type": string(typ)}), Metrics: mlexp.NewMetricValues(map[string]float64{metric: v})}
	for i := 0; i+1 < len(params); i += 2 {
		r.Params = r.Params.With(params[i], params[i+1])
	}
	rs.list = append(rs.list, r)
	return &rs.list[len(rs.list)-1]
}

func (rs *runs) quick(config string, v float64, params ...string) *mlexp.Run {
	return rs.add(mlexp.QuickTestRun, config, mlexp.MetricRecallAt100, v, params...)
}

func (rs *runs) full(config string, v float64, params ...string) *mlexp.Run {
	return rs.add(mlexp.FullTrainingRun, config, mlexp.MetricRecallAt100, v, params...)
}

func val(n *mlexp.Number) float64 {
	if n == nil {
		return nanValue
	}
	return float64(*n)
}
