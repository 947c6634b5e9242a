"""Log a tiny pyfunc model into an existing run, the ways a trainer using MLflow does.

Used by the Go tests of model recognition. stdin is JSON: {"run_id": ..., "kind": ...,
"name": ...}. kind "logged_model" calls mlflow.pyfunc.log_model (an MLflow 3 LoggedModel whose
source run is the run); kind "mlmodel_dir" saves the model locally and logs its directory as
run artifacts under name (an MLmodel artifact directory, as MLflow 2 clients did). Prints
{"model_id": ..., "model_uri": ...}.
"""
import json
import os
import sys
import tempfile

import mlflow
import mlflow.pyfunc
from mlflow import MlflowClient


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


spec = json.load(sys.stdin)
run_id, name = spec["run_id"], spec.get("name") or "model"
if spec["kind"] == "logged_model":
    with mlflow.start_run(run_id=run_id):
        info = mlflow.pyfunc.log_model(name=name, python_model=Echo())
    print(json.dumps({"model_id": info.model_id, "model_uri": info.model_uri}))
else:
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, name)
        mlflow.pyfunc.save_model(local, python_model=Echo())
        MlflowClient().log_artifacts(run_id, local, name)
    print(json.dumps({"model_id": "", "model_uri": "runs:/%s/%s" % (run_id, name)}))
