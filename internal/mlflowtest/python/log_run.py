"""Log runs with MLflow's official Python client, as described by the JSON on stdin.

Used by the Go interoperability tests: Go writes what to log (one run, or a list of runs),
this script logs it the way a trainer using MLflow directly would (one call per param,
metric point and tag), and prints the run id (or the list of run ids).
"""
import json
import sys

from mlflow import MlflowClient


def num(v):
    return float(v)  # accepts numbers and the strings "NaN", "Infinity", "-Infinity"


def log(client, spec):
    exp = client.get_experiment_by_name(spec["experiment"])
    if exp:
        exp_id = exp.experiment_id
    else:
        exp_id = client.create_experiment(spec["experiment"], tags=spec.get("experiment_tags") or None)
    run = client.create_run(exp_id, start_time=spec["start_time"], run_name=spec["run_name"])
    run_id = run.info.run_id
    for k, v in spec.get("params", {}).items():
        client.log_param(run_id, k, v)
    for k, points in spec.get("history", {}).items():
        for p in points:
            client.log_metric(run_id, k, num(p["value"]), timestamp=p["timestamp"], step=p["step"])
    for k, v in spec.get("tags", {}).items():
        client.set_tag(run_id, k, v)
    for path, text in spec.get("artifacts", {}).items():
        client.log_text(run_id, text, path)
    client.set_terminated(run_id, status=spec["status"], end_time=spec["end_time"])
    return run_id


specs = json.load(sys.stdin)
client = MlflowClient()
if isinstance(specs, list):
    print(json.dumps({"run_ids": [log(client, s) for s in specs]}))
else:
    print(json.dumps({"run_id": log(client, specs)}))
