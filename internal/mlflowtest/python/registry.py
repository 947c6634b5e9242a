"""Read or move a Model Registry alias with MLflow's official Python client.

Used by the Go tests of promotion. Arguments: get NAME ALIAS prints {"version", "run_id"} of
MlflowClient().get_model_version_by_alias; set NAME ALIAS VERSION moves the alias, as someone
would in MLflow's UI, and prints {}.
"""
import json
import sys

from mlflow import MlflowClient

client = MlflowClient()
cmd, name, alias = sys.argv[1], sys.argv[2], sys.argv[3]
if cmd == "get":
    mv = client.get_model_version_by_alias(name, alias)
    print(json.dumps({"version": mv.version, "run_id": mv.run_id, "source": mv.source}))
else:
    client.set_registered_model_alias(name, alias, sys.argv[4])
    print(json.dumps({}))
