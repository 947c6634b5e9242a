# mlexp — make targets. `make demo` and `make test` are the two a newcomer needs.
SHELL := /bin/bash
GO    ?= go
DATA  ?= .data
ADDR  ?= 127.0.0.1:8080

.PHONY: all build venv gcs-venv mlmd postgres browser test demo mlflow-start mlflow-stop gcs-topology gcs-topology-stop bench lint clean

all: build

build:
	$(GO) build -o bin/mlexp ./cmd/mlexp

# The pinned MLflow (scripts/mlflow-requirements.txt) in the project's virtualenv
# ($$MLEXP_VENV, default .venv). Tests start their own servers from it.
venv:
	scripts/mlflow.sh install

# The pinned MLflow with its Google Cloud Storage extra and a GCS emulator, in a virtualenv of
# their own ($$MLEXP_GCS_VENV, default .venv-gcs): the spec's topology (scripts/gcs-topology.sh).
gcs-venv:
	scripts/gcs-topology.sh install

# The pinned ml-metadata (scripts/mlmd-requirements.txt) in a virtualenv of its own (it pins
# protobuf < 5): tests write ML Metadata stores with it (scripts/mlmd_write.py).
mlmd:
	scripts/mlmd.sh install

# PostgreSQL from Debian's packages (as root); tests start throw-away clusters with it.
postgres:
	scripts/postgres.sh install

# Chromium from Debian's packages (as root); the browser tests (web/browsertest) drive it headless.
browser:
	scripts/chromium.sh install

# Every test, against real MLflow servers, real SQLite and PostgreSQL, ML Metadata stores written
# by the ml-metadata library, a GCS emulator, and headless Chromium. Nothing is skipped.
test: venv gcs-venv mlmd postgres browser
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

# Start a local MLflow (data in $(DATA)/mlflow), then `mlexp serve` on $(ADDR) until Ctrl-C.
# The demo's full trainings also get a TFX pipeline in an ML Metadata store ($(DATA)/mlmd.db),
# written by the ml-metadata library, for the lineage views.
demo: build mlflow-start mlmd
	@url=$$(scripts/mlflow.sh url --data $(DATA)/mlflow); \
	 echo "MLflow UI:  $$url"; \
	 echo "mlexp:      http://$(ADDR)/  (Ctrl-C stops mlexp; 'make mlflow-stop' stops MLflow)"; \
	 MLFLOW_TRACKING_URI=$$url MLEXP_DATA_DIR=$(DATA) bin/mlexp demo --mlmd-spec $(DATA)/mlmd-pipeline.json --mlmd-db $(DATA)/mlmd.db; \
	 rm -f $(DATA)/mlmd.db; scripts/mlmd.sh python scripts/mlmd_write.py <$(DATA)/mlmd-pipeline.json >/dev/null; \
	 MLFLOW_TRACKING_URI=$$url MLEXP_DATA_DIR=$(DATA) MLEXP_MLMD_DB=$(DATA)/mlmd.db bin/mlexp serve --addr $(ADDR)

mlflow-start: venv
	@scripts/mlflow.sh start --data $(DATA)/mlflow >/dev/null

mlflow-stop:
	scripts/mlflow.sh stop --data $(DATA)/mlflow

# The spec's MLflow topology, locally: a PostgreSQL backend store and a gs:// artifact root on a
# GCS emulator (data in $(DATA)/gcs-topology). Prints MLFLOW_TRACKING_URI and STORAGE_EMULATOR_HOST.
gcs-topology: gcs-venv postgres
	@scripts/gcs-topology.sh start --data $(DATA)/gcs-topology

gcs-topology-stop:
	scripts/gcs-topology.sh stop --data $(DATA)/gcs-topology

# mlexp against a real MLflow, side by side (bench/): writes the table of docs/benchmarks.md.
# Takes about 40 minutes; MLEXP_BENCH_LOAD_SECONDS shortens the load test. Not part of `make test`.
bench: venv postgres
	$(GO) run ./bench -n 1000,10000 -out docs/benchmarks.md

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

clean: mlflow-stop gcs-topology-stop
	rm -rf bin $(DATA)
