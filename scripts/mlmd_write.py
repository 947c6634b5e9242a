"""Write a TFX-shaped ML Metadata store with the real ml-metadata library.

Tests and the demo run it with the virtualenv of scripts/mlmd.sh:

    scripts/mlmd.sh python scripts/mlmd_write.py < spec.json > written.json

The spec (JSON on stdin):

    {"store": {"sqlite": "/path/mlmd.db"}
          or {"postgresql": {"host": …, "port": …, "user": …, "password": …, "dbname": …}},
     "trainings": [{"key": "a", "run_id": "<MLflow run id>",
                    "link": "external_id" | "property" | "uri" | "none",
                    "model_uri": "gs://…", "dataset_uri": "gs://…",
                    "span": 3, "version": 1, "schema_version": 2, "vocabulary": "vocab-2024-05",
                    "base": "<key of the training whose model this one warm-starts from>",
                    "blessed": true, "pushed": true, "pushed_version": "3"}, …],
     "filler": 0}

Each training is a pipeline run: ExampleGen (from the dataset) → Examples; SchemaGen →
Schema; Transform → TransformGraph; Trainer → Model; Evaluator → ModelEvaluation and
ModelBlessing; Pusher → PushedModel (when blessed and pushed). "filler" adds that many
more trainings linked to nothing, to make the store big.

It prints, for each training key, the ids of its Trainer execution and Model artifact and the
lineage graph a reader must find for it, built from what was written (not read back through
SQL): the Trainer and its outputs, everything upstream of the Trainer (inputs, their
producers, their inputs…), the executions that consume the model and their outputs, and
every event between those nodes.
"""
import json
import sys

from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

INT, DOUBLE, STRING = pb.INT, pb.DOUBLE, pb.STRING

ARTIFACT_TYPES = {
    "Dataset": {},
    "Examples": {"span": INT, "version": INT, "split_names": STRING},
    "Schema": {"version": INT},
    "TransformGraph": {"vocabulary": STRING},
    "Model": {},
    "ModelEvaluation": {},
    "ModelBlessing": {},
    "PushedModel": {},
}
EXECUTION_TYPES = ["ExampleGen", "SchemaGen", "Transform", "Trainer", "Evaluator", "Pusher"]


def connect(store):
    c = pb.ConnectionConfig()
    if "sqlite" in store:
        c.sqlite.filename_uri = store["sqlite"]
        c.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    else:
        p = store["postgresql"]
        for k in ("host", "port", "user", "password", "dbname"):
            if k in p:
                setattr(c.postgresql, k, str(p[k]))
    return metadata_store.MetadataStore(c)


class Writer:
    def __init__(self, store):
        self.store = store
        self.atypes, self.etypes = {}, {}
        for name, props in ARTIFACT_TYPES.items():
            t = pb.ArtifactType(name=name)
            for k, v in props.items():
                t.properties[k] = v
            self.atypes[name] = store.put_artifact_type(t)
        for name in EXECUTION_TYPES:
            self.etypes[name] = store.put_execution_type(pb.ExecutionType(name=name))
        ctype = store.put_context_type(pb.ContextType(name="pipeline_run"))
        self.ctype = ctype
        self.events = []  # (artifact id, execution id, event type)
        self.written = {}  # artifact id → the artifact as written

    def artifact(self, type_name, name, uri, props=None, custom=None):
        a = pb.Artifact(type_id=self.atypes[type_name], name=name, uri=uri, state=pb.Artifact.LIVE)
        set_props(a.properties, props)
        set_props(a.custom_properties, custom)
        return a

    def run(self, type_name, name, inputs, outputs, ctx, external_id=None, custom=None):
        """Writes one execution with its input and output events; returns its id and the
        ids of its outputs."""
        e = pb.Execution(type_id=self.etypes[type_name], name=name,
                         last_known_state=pb.Execution.COMPLETE)
        if external_id:
            e.external_id = external_id
        set_props(e.custom_properties, custom)
        pairs = []
        for a_id in inputs:
            # put_execution also updates the artifacts it is given: give them whole, as
            # written, or their URI and properties would be cleared.
            pairs.append((self.written[a_id], pb.Event(type=pb.Event.INPUT)))
        for a in outputs:
            pairs.append((a, pb.Event(type=pb.Event.OUTPUT)))
        eid, aids, _ = self.store.put_execution(e, pairs, [ctx], reuse_context_if_already_exist=True)
        for a_id in aids[:len(inputs)]:
            self.events.append((a_id, eid, "input"))
        outs = aids[len(inputs):]
        for a, a_id in zip(outputs, outs):
            a.id = a_id
            self.written[a_id] = a
        for a_id in outs:
            self.events.append((a_id, eid, "output"))
        return eid, outs

    def training(self, t, models):
        k = t["key"]
        ctx = pb.Context(type_id=self.ctype, name="pipeline-run-" + k)
        ds = t.get("dataset_uri", "gs://data/recsys/interactions")
        _, (dataset,) = self.run("ExampleGen", "importer-" + k, [], [self.artifact("Dataset", "dataset-" + k, ds)], ctx)
        span, version = t.get("span", 1), t.get("version", 1)
        ex = self.artifact("Examples", "examples-" + k, "%s/span-%d/version-%d" % (ds, span, version),
                           {"span": span, "version": version, "split_names": '["train","eval"]'})
        _, (examples,) = self.run("ExampleGen", "example-gen-" + k, [dataset], [ex], ctx)
        sc = self.artifact("Schema", "schema-" + k, "gs://pipeline/%s/schema" % k, {"version": t.get("schema_version", 1)})
        _, (schema,) = self.run("SchemaGen", "schema-gen-" + k, [examples], [sc], ctx)
        tg = self.artifact("TransformGraph", "transform-graph-" + k, "gs://pipeline/%s/transform" % k,
                           {"vocabulary": t.get("vocabulary", "vocab-1")})
        _, (graph,) = self.run("Transform", "transform-" + k, [examples, schema], [tg], ctx)
        inputs = [examples, schema, graph] + ([models[t["base"]]] if t.get("base") else [])
        link, run_id = t.get("link", "none"), t.get("run_id", "")
        uri = t.get("model_uri") or "gs://models/%s" % k
        trainer, (model,) = self.run(
            "Trainer", "trainer-" + k, inputs, [self.artifact("Model", "model-" + k, uri)], ctx,
            external_id=run_id if link == "external_id" else None,
            custom={"mlflow_run_id": run_id} if link == "property" else None)
        models[k] = model
        _, outs = self.run("Evaluator", "evaluator-" + k, [model, examples],
                           [self.artifact("ModelEvaluation", "evaluation-" + k, "gs://pipeline/%s/eval" % k),
                            self.artifact("ModelBlessing", "blessing-" + k, "gs://pipeline/%s/blessing" % k,
                                          custom={"blessed": 1 if t.get("blessed") else 0})], ctx)
        if t.get("blessed") and t.get("pushed"):
            self.run("Pusher", "pusher-" + k, [model, outs[1]],
                     [self.artifact("PushedModel", "pushed-" + k, "gs://serving/%s" % k,
                                    custom={"pushed": 1, "pushed_destination": "gs://serving/recsys",
                                            "pushed_version": t.get("pushed_version", k)})], ctx)
        return trainer, model


def set_props(target, values):
    for k, v in (values or {}).items():
        if isinstance(v, bool) or isinstance(v, int):
            target[k].int_value = int(v)
        elif isinstance(v, float):
            target[k].double_value = v
        else:
            target[k].string_value = str(v)


def lineage(events, trainer, model):
    """The graph a reader must find for a Trainer execution and its Model artifact."""
    inputs_of, producers_of, consumers_of, outputs_of = {}, {}, {}, {}
    for a, e, kind in events:
        if kind == "input":
            inputs_of.setdefault(e, set()).add(a)
            consumers_of.setdefault(a, set()).add(e)
        else:
            producers_of.setdefault(a, set()).add(e)
            outputs_of.setdefault(e, set()).add(a)
    execs, arts = {trainer}, set(outputs_of.get(trainer, ()))
    todo = [trainer]
    while todo:  # upstream
        e = todo.pop()
        for a in inputs_of.get(e, ()):
            arts.add(a)
            for p in producers_of.get(a, ()):
                if p not in execs:
                    execs.add(p)
                    todo.append(p)
    for c in consumers_of.get(model, ()):  # downstream
        execs.add(c)
        arts.update(outputs_of.get(c, ()))
    edges = sorted({(a, e, k) for a, e, k in events if a in arts and e in execs})
    return execs, arts, edges


def node(kind, x, type_names):
    props = {}
    for custom, m in ((False, x.properties), (True, x.custom_properties)):
        for k, v in m.items():
            which = v.WhichOneof("value")
            if which == "int_value":
                props[k] = str(v.int_value)
            elif which == "double_value":
                props[k] = repr(v.double_value)
            elif which == "string_value":
                props[k] = v.string_value
    n = {"id": "%s:%d" % (kind, x.id), "type": type_names[x.type_id], "name": x.name,
         "properties": props, "create_time_ms": x.create_time_since_epoch}
    if kind == "artifact":
        n["uri"] = x.uri
    return n


def main():
    spec = json.load(sys.stdin)
    store = connect(spec["store"])
    w = Writer(store)
    models, links = {}, {}
    for t in spec.get("trainings", []):
        links[t["key"]] = w.training(t, models)
    for i in range(spec.get("filler", 0)):
        w.training({"key": "filler-%d" % i, "span": i % 7}, models)
    names = {t.id: t.name for t in store.get_artifact_types() + store.get_execution_types()}
    out = {}
    for key, (trainer, model) in links.items():
        execs, arts, edges = lineage(w.events, trainer, model)
        by_id = lambda x: x.id  # noqa: E731 — the store returns them in any order
        nodes = [node("execution", x, names) for x in sorted(store.get_executions_by_id(execs), key=by_id)]
        nodes += [node("artifact", x, names) for x in sorted(store.get_artifacts_by_id(arts), key=by_id)]
        out[key] = {"execution_id": trainer, "model_artifact_id": model, "nodes": nodes,
                    "edges": [{"artifact": "artifact:%d" % a, "execution": "execution:%d" % e, "kind": k}
                              for a, e, k in edges]}
    json.dump({"trainings": out}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
