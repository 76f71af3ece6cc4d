# Every target bootstraps .venv on first use (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck unit schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)  ## serve the API with demo data on ./invoicegraph.db
	$(BIN)/invoicegraph serve

test: lint typecheck unit  ## everything CI checks

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

schema: $(STAMP)  ## re-export schema.graphql after changing the schema
	$(BIN)/invoicegraph export-schema > schema.graphql

N ?= 10000 1000000
bench: $(STAMP)  ## invoice-list latency at N invoices (datasets are kept in bench/data/)
	$(BIN)/python -m bench.run --invoices $(N)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
