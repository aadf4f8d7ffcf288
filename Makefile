# Two commands do everything: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# mkdocs-material's notice about its successor, printed on every build, is not ours to act on
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs

.PHONY: run test lint typecheck bench demo clean snapshots mutate mutate-report lock docs

# The exact versions `make test` passed with, hashed (requirements-dev.lock, made by
# `make lock`); then casereview itself, editable, built by the locked setuptools.
LOCK := requirements-dev.lock

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/casereview demo --db demo.db

lint: $(STAMP)
	$(BIN)/python scripts/check_lock.py $(LOCK)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MKDOCS) build --strict

# The documentation site (mkdocs.yml, docs/) into site/: strict, so a broken link or a
# missing page fails (never with --quiet: it hides the warnings strict counts). `make lint`,
# so `make test`, builds it too. The command reference is generated from the click commands.
docs: $(STAMP)
	$(MKDOCS) build --strict

test: lint
	$(BIN)/pytest -n 2 -q

snapshots: $(STAMP)
	$(BIN)/pytest tests/tui/test_snapshots.py --snapshot-update

# Mutation testing of the pure core (not part of `make test`): mutmut mutates scoring,
# findings, export, importing, sampling and checklist ([tool.mutmut] in pyproject.toml),
# then scripts/mutation_report.py prints the kill rate per module. One module at a time:
# `make mutate MODULE=core.stats.scoring`. MUTATE_JOBS workers (the machine has two cores). Results
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

# New versions of everything pyproject.toml allows, locked with their hashes: run the
# suite after, and commit the lock with the change that needed it.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --upgrade --extra dev --generate-hashes --allow-unsafe \
		--strip-extras --no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) site demo.db demo.db-wal demo.db-shm .pytest_cache .mypy_cache .ruff_cache mutants
