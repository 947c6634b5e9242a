"""Log the runs that the tests of mlexp's database path (package mlflowdb) compare, with
MLflow's official Python client, the way trainers log them: several experiments; params and
tags; metric histories logged with steps out of order, equal steps at different timestamps,
equal steps and timestamps with different values; NaN, +Infinity and -Infinity as latest
values; runs that share a start time; a deleted run, a running and a scheduled-looking one.

Prints {"experiments": {name: id}, "runs": {label: run_id}} as its last line.
"""
import json
import math

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

client = MlflowClient()
T0 = 1_790_000_000_000  # ms
out = {"experiments": {}, "runs": {}}


def experiment(name):
    exp = client.get_experiment_by_name(name)
    eid = exp.experiment_id if exp else client.create_experiment(name)
    out["experiments"][name] = eid
    return eid


def run(eid, label, start, params=None, tags=None, history=None, status="FINISHED", end=None, name=None):
    r = client.create_run(eid, start_time=start, run_name=name or label)
    rid = r.info.run_id
    for k, v in (params or {}).items():
        client.log_param(rid, k, v)
    for k, v in (tags or {}).items():
        client.set_tag(rid, k, v)
    for k, points in (history or {}).items():
        for step, ts, value in points:
            client.log_metric(rid, k, value, timestamp=ts, step=step)
    if status != "RUNNING":
        client.set_terminated(rid, status=status, end_time=end or start + 60_000)
    out["runs"][label] = rid
    return rid


a = experiment("db-compare-a")
b = experiment("db-compare-b")
c = experiment("db-compare-c")

for i in range(6):
    run(a, f"config-{i:03d} Quick Test #{i + 1}", T0 + i * 1000,
        params={"run_type": "quick_test", "config_id": f"config-{i:03d}", "user_id_embedding_dim": str(16 << i),
                "learning_rate": "0.001", "cross_features": "none" if i % 2 else "category_x_subcategory"},
        tags={"feature_config_id": f"config-{i:03d}", "dataset_id": "ds-1", "dataset_version": "3",
              "is_deployed": "true" if i == 2 else "false", "team": "recs"},
        history={"recall_at_100": [(0, T0 + 10, 0.1 * i), (2, T0 + 30, 0.3 + 0.01 * i), (1, T0 + 20, 0.2)],
                 "loss": [(0, T0 + 10, 1.0), (1, T0 + 20, 0.8), (1, T0 + 25, 0.7), (1, T0 + 15, 0.9)],
                 "cost_usd": [(0, T0, 1.5 + i)]})

# Equal steps and timestamps: MLflow keeps the highest value.
run(a, "ties", T0 + 10_000, params={"run_type": "quick_test"},
    history={"recall_at_100": [(3, T0 + 50, 0.25), (3, T0 + 50, 0.75), (3, T0 + 50, 0.5)],
             "auc": [(5, T0 + 40, 0.9), (4, T0 + 90, 0.95)]})
# NaN, +Infinity and -Infinity as latest values, and as values superseded.
run(a, "non-finite", T0 + 11_000, params={"run_type": "quick_test"},
    history={"loss": [(0, T0, 1.0), (1, T0 + 1, math.nan)],
             "recall_at_100": [(0, T0, math.inf)],
             "ndcg_at_10": [(0, T0, -math.inf)],
             "mrr": [(0, T0, math.nan), (1, T0 + 5, 0.4)],
             "cost_usd": [(0, T0, math.inf)]})
# Three runs that start at the same millisecond (the load's cursor breaks ties by run id).
for k in range(3):
    run(a, f"same-start-{k}", T0 + 20_000, params={"k": str(k)}, history={"recall_at_100": [(0, T0, 0.1 * k)]})
run(a, "failed", T0 + 21_000, status="FAILED",
    tags={"failure_stage": "training", "failure_reason": "out of memory"}, history={"loss": [(0, T0, 3.0)]})
run(a, "running", T0 + 22_000, status="RUNNING", params={"run_type": "full_training"},
    history={"loss": [(0, T0, 2.0), (1, T0 + 1, 1.5)]})
gone = run(a, "deleted", T0 + 23_000, params={"run_type": "quick_test"}, history={"loss": [(0, T0, 0.1)]})
client.delete_run(gone)
back = run(a, "restored", T0 + 24_000, params={"run_type": "quick_test"}, history={"loss": [(0, T0, 0.2)]})
client.delete_run(back)
client.restore_run(back)
# Logged in one batch, as log_batch does.
rid = run(a, "batch", T0 + 25_000, status="RUNNING")
client.log_batch(rid, metrics=[Metric("loss", 0.5, T0 + 2, 2), Metric("loss", 0.6, T0 + 1, 2), Metric("loss", 0.4, T0 + 3, 1)],
                 params=[Param("run_type", "quick_test"), Param("epochs", "3")], tags=[RunTag("dataset_id", "ds-2")])
client.set_terminated(rid, status="KILLED", end_time=T0 + 99_000)
# A run with a name from its tag only: runs.name is what MLflow answers.
run(a, "renamed", T0 + 26_000, tags={"mlflow.runName": "named by tag"})

for i in range(4):
    run(b, f"b-{i}", T0 + i * 500, params={"run_type": "quick_test", "seed": str(i)},
        history={"recall_at_100": [(0, T0, 0.5 + i / 10)]})
run(c, "c-only", T0, params={"run_type": "full_training"}, history={"loss": [(9, T0 + 9, 0.01)]})

print(json.dumps(out))
