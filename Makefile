# Two commands do everything: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench demo clean snapshots mutate mutate-report

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/casereview demo --db demo.db

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n 2 -q

snapshots: $(STAMP)
	$(BIN)/pytest tests/tui/test_snapshots.py --snapshot-update

# Mutation testing of the pure core (not part of `make test`): mutmut mutates scoring,
# findings, export, importing, sampling and checklist ([tool.mutmut] in pyproject.toml),
# then scripts/mutation_report.py prints the kill rate per module. One module at a time:
# `make mutate MODULE=scoring`. MUTATE_JOBS workers (the machine has two cores). Results
# are kept in mutants/ and only new or changed mutants run again: rm -rf mutants for a fresh run.
MUTATE_JOBS ?= 1
MODULE ?=
mutate: $(STAMP)
	$(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(if $(MODULE),'casereview.$(MODULE).*')
	$(BIN)/python scripts/mutation_report.py --survivors $(MODULE)

mutate-report: $(STAMP)
	$(BIN)/python scripts/mutation_report.py --survivors $(MODULE)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache mutants
