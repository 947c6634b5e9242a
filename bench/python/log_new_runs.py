"""Log quick tests now, one at a time with a pause between them, through MLflow's Python
client (create_run, log_batch, set_terminated), and print a JSON line per run as soon as it
is logged: its id, when it was created and when it ended (seconds since the epoch), so that
the bench can time when mlexp sees it. Reads {"experiment_id", "runs": [...]} on stdin.

    python log_new_runs.py GAP_SECONDS < runs.json   → one JSON line per run
"""
import json
import sys
import time

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

job = json.load(sys.stdin)
gap = float(sys.argv[1])
client = MlflowClient()
for i, r in enumerate(job["runs"]):
    if i:
        time.sleep(gap)
    start = int(time.time() * 1000)
    run = client.create_run(job["experiment_id"], start_time=start, run_name=r["name"])
    created = time.time()
    rid = run.info.run_id
    client.log_batch(
        rid,
        metrics=[Metric(k, v, start, 2) for k, v in r["metrics"].items()],
        params=[Param(k, v) for k, v in r["params"].items()],
        tags=[RunTag(k, v) for k, v in r["tags"].items() if k != "mlflow.runName"],
    )
    client.set_terminated(rid, status="FINISHED", end_time=int(time.time() * 1000))
    ended = time.time()
    print(json.dumps({"run_id": rid, "created": created, "ended": ended}), flush=True)
