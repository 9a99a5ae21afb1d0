# The two commands a new user needs: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make run` reads ./config.toml when it exists, else the demo's config (config.demo.toml).
RUN_CONFIG ?= $(if $(wildcard config.toml),config.toml,config.demo.toml)
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: run test lint install bench clean first-run

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/salesbot --config $(RUN_CONFIG) db upgrade
	$(BIN)/salesbot --config $(RUN_CONFIG) demo
	$(BIN)/salesbot --config $(RUN_CONFIG) serve

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest -q

bench: install
	$(BIN)/python -m bench.ingest

clean:
	rm -rf $(VENV) salesbot.db salesbot.db-wal salesbot.db-shm .pytest_cache .ruff_cache

first-run:  # a clean clone, make run on PORT (default 8105), the expo form and a link on that port
	scripts/first_run.sh $(PORT)
