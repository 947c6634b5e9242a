"""Cold load of every run of an experiment with MLflow's Python client, and the heatmap of
mlexp's default query (best recall_at_100 by embedding dims × cross features) as a pandas
pivot. Timed inside the process, so the interpreter's start-up and imports are excluded.

    python search_heatmap.py EXPERIMENT_ID REPEATS   → one JSON line
"""
import json
import sys
import time

t_start = time.perf_counter()
import mlflow  # noqa: E402
import pandas as pd  # noqa: E402

t_imported = time.perf_counter()
exp_id, repeats = sys.argv[1], int(sys.argv[2])
search, pivot, rows, cells = [], [], 0, 0
for _ in range(repeats):
    t0 = time.perf_counter()
    df = mlflow.search_runs(experiment_ids=[exp_id], max_results=200000)
    t1 = time.perf_counter()
    df = df[df["status"] == "FINISHED"]
    x = df["params.user_id_embedding_dim"].astype(str) + "/" + df["params.product_id_embedding_dim"].astype(str)
    y = df["params.cross_features"].fillna("none")
    heat = pd.pivot_table(
        pd.DataFrame({"x": x, "y": y, "v": df["metrics.recall_at_100"]}),
        index="y", columns="x", values="v", aggfunc="max",
    )
    # The best run of each cell, as mlexp's heatmap links it.
    best = df.loc[df.groupby([y, x])["metrics.recall_at_100"].idxmax(), "run_id"]
    t2 = time.perf_counter()
    search.append(t1 - t0)
    pivot.append(t2 - t1)
    rows, cells = len(df), int(heat.notna().sum().sum())
    assert len(best) == cells
print(json.dumps({"search_s": search, "pivot_s": pivot, "rows": rows, "cells": cells,
                  "import_s": t_imported - t_start, "mlflow": mlflow.__version__, "pandas": pd.__version__}))
