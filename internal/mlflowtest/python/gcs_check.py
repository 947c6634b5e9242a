"""Check, with MLflow's Python client, that artifacts logged through the tracking server land
in the GCS bucket (through STORAGE_EMULATOR_HOST) and read back.

Arguments: BUCKET RUN_ID MODEL_URI. Prints {"blobs": [...], "curves_sha256", "model_uri_txt",
"model_files": [...]}: the bucket's object names, the SHA-256 of the run's
training_curves.png and the content of its model/model_uri.txt as MLflow's client downloads
them, and the files of the logged model MODEL_URI (models:/m-...) it downloads.
"""
import hashlib
import json
import os
import sys
import tempfile

import mlflow
from google.cloud import storage
from mlflow import MlflowClient

bucket, run_id, model_uri = sys.argv[1], sys.argv[2], sys.argv[3]
blobs = [b.name for b in storage.Client().list_blobs(bucket)]
client = MlflowClient()
with tempfile.TemporaryDirectory() as tmp:
    curves = client.download_artifacts(run_id, "training_curves.png", tmp)
    with open(curves, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    pointer = client.download_artifacts(run_id, "model/model_uri.txt", tmp)
    with open(pointer) as f:
        uri = f.read()
    model_dir = mlflow.artifacts.download_artifacts(model_uri, dst_path=os.path.join(tmp, "model-dl"))
    files = sorted(os.listdir(model_dir))
print(json.dumps({"blobs": blobs, "curves_sha256": sha, "model_uri_txt": uri, "model_files": files}))
