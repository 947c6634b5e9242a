"""Read one run with MLflow's official Python client and print it as JSON.

Used by the Go interoperability tests to check what Go logged. Non-finite floats are written
as the strings "NaN", "Infinity" and "-Infinity", the way MLflow's REST API writes them.
"""
import json
import math
import os
import sys
import tempfile

from mlflow import MlflowClient


def num(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def files(client, run_id, path=None):
    for f in client.list_artifacts(run_id, path):
        if f.is_dir:
            yield from files(client, run_id, f.path)
        else:
            yield f.path


client = MlflowClient()
run = client.get_run(sys.argv[1])
out = {
    "run_name": run.info.run_name,
    "status": run.info.status,
    "start_time": run.info.start_time,
    "end_time": run.info.end_time,
    "params": run.data.params,
    "tags": run.data.tags,
    "latest": {k: num(v) for k, v in run.data.metrics.items()},
    "history": {
        k: [{"step": m.step, "timestamp": m.timestamp, "value": num(m.value)} for m in client.get_metric_history(run.info.run_id, k)]
        for k in run.data.metrics
    },
    "artifacts": {},
}
with tempfile.TemporaryDirectory() as tmp:
    for path in files(client, run.info.run_id):
        local = client.download_artifacts(run.info.run_id, path, tmp)
        with open(local, encoding="utf-8") as fh:
            out["artifacts"][path] = fh.read()
print(json.dumps(out))
