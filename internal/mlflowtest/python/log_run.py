"""Log one run with MLflow's official Python client, as described by the JSON on stdin.

Used by the Go interoperability tests: Go writes what to log, this script logs it the way a
trainer using MLflow directly would (one call per param, metric point and tag), and prints
the run id.
"""
import json
import sys

from mlflow import MlflowClient


def num(v):
    return float(v)  # accepts numbers and the strings "NaN", "Infinity", "-Infinity"


spec = json.load(sys.stdin)
client = MlflowClient()
exp = client.get_experiment_by_name(spec["experiment"])
exp_id = exp.experiment_id if exp else client.create_experiment(spec["experiment"])
run = client.create_run(exp_id, start_time=spec["start_time"], run_name=spec["run_name"])
run_id = run.info.run_id
for k, v in spec["params"].items():
    client.log_param(run_id, k, v)
for k, points in spec["history"].items():
    for p in points:
        client.log_metric(run_id, k, num(p["value"]), timestamp=p["timestamp"], step=p["step"])
for k, v in spec["tags"].items():
    client.set_tag(run_id, k, v)
for path, text in spec["artifacts"].items():
    client.log_text(run_id, text, path)
client.set_terminated(run_id, status=spec["status"], end_time=spec["end_time"])
print(json.dumps({"run_id": run_id}))
