# The two commands a new user needs: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make run` reads ./config.toml when it exists, else the demo's config (config.demo.toml).
RUN_CONFIG ?= $(if $(wildcard config.toml),config.toml,config.demo.toml)
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: run test lint install bench bench-ingest clean prove first-run

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
	$(BIN)/mypy
	$(BIN)/pytest -q

# The route benchmark (issue 20). BENCH_PG: auto (default) = the local postgresql+psycopg://postgres@127.0.0.1:5432/test
# when it answers, a URL names another PostgreSQL, off = SQLite only.
BENCH_PG ?= auto
bench: install
	$(BIN)/python -m bench.route $(if $(filter-out off,$(BENCH_PG)),--pg $(BENCH_PG))

bench-ingest: install
	$(BIN)/python -m bench.ingest

# Not part of `make test`: two replicas on a throwaway PostgreSQL under load and faults (≤ 20 min; QUICK=1 ≈ 3 min).
prove: install
	$(BIN)/python -m bench.prove $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) .venv-peer salesbot.db salesbot.db-wal salesbot.db-shm .pytest_cache .ruff_cache

first-run:  # a clean clone, make run on PORT (default 8105), the expo form and a link on that port
	scripts/first_run.sh $(PORT)
