"""Log quick tests the way the spec's trainer sketch does: one MLflow call per param, metric
and tag, through MLflow's Python client. Reads {"experiment_id", "runs": [...]} on stdin;
times only the logging loop.

    python log_per_call.py < runs.json   → one JSON line
"""
import json
import sys
import time

from mlflow import MlflowClient

job = json.load(sys.stdin)
client = MlflowClient()
exp_id = job["experiment_id"]
t0 = time.perf_counter()
calls = 0
for r in job["runs"]:
    run = client.create_run(exp_id, start_time=r["start"], run_name=r["name"])
    rid = run.info.run_id
    calls += 1
    for k, v in r["params"].items():
        client.log_param(rid, k, v)
        calls += 1
    for k, v in r["metrics"].items():
        client.log_metric(rid, k, v, timestamp=r["end"], step=2)
        calls += 1
    for k, v in r["tags"].items():
        client.set_tag(rid, k, v)
        calls += 1
    client.set_terminated(rid, status="FINISHED", end_time=r["end"])
    calls += 1
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "runs": len(job["runs"]), "calls": calls}))
