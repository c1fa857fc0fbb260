# The two commands: `make run` and `make test`. Everything else they need, they install.
# `make test-fast` is the inner loop: the tests not marked slow, no lint (`make test` before pushing).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STATE := .culture
EMPLOYEES ?= 2000
SEED ?= 42
BENCH_EMPLOYEES ?= 190000
AS_OF ?= 2026-10-01
# `make airflow EXECUTOR=celery [WORKERS=2]`: the tasks on Celery workers instead of the scheduler
EXECUTOR ?= local
WORKERS ?= 2
export AIRFLOW_HOME := $(CURDIR)/$(STATE)/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False

.PHONY: install browser run test test-fast lint unit bench airflow docs lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@# Bytecode now, once: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every Airflow task
	@# and test process would otherwise compile Airflow, dbt and Great Expectations again (~10 s each).
	$(BIN)/python -m compileall -q -j 0 $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') > /dev/null
	@touch $(STAMP)

# Debian's chromium, for the test that opens the leaders' report in a headless browser: installed
# once when missing (Playwright's own browser download does not work offline; Debian's does).
browser:
	@command -v chromium > /dev/null 2>&1 || command -v chromium-browser > /dev/null 2>&1 || { \
	  echo "installing Debian's chromium (the report's browser test)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null; }

run: install
	@mkdir -p $(STATE)
	$(BIN)/culture generate --out $(STATE)/landing --employees $(EMPLOYEES) --seed $(SEED) --as-of $(AS_OF)
	$(BIN)/culture run --landing $(STATE)/landing --as-of $(AS_OF)
	$(BIN)/culture report --out $(STATE)/report
	@echo "the leaders' culture report: file://$(CURDIR)/$(STATE)/report/index.html (English: culture report --lang en)"
	@if [ -f $(STATE)/docs/static_index.html ]; then echo "the dbt docs site of the marts: file://$(CURDIR)/$(STATE)/docs/static_index.html"; \
	else echo "the dbt docs site: make docs (the night writes it only after publishing every mart)"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros --disable-progress-bar
	$(BIN)/mypy

unit: install browser
	$(BIN)/pytest

test: lint unit

# Everything but the tests marked slow (whole nights, dbt, the DAG): under two minutes.
test-fast: install
	$(BIN)/pytest -m "not slow"

# The dbt docs site of the published marts (after `make run`), into .culture/docs/.
docs: install
	$(BIN)/culture docs

bench: install
	$(BIN)/culture bench --employees $(BENCH_EMPLOYEES)

airflow: install
	@mkdir -p $(AIRFLOW_HOME)
	$(BIN)/python -m culture_dev.airflow_local --executor $(EXECUTOR) --workers $(WORKERS)

lock:
	$(BIN)/uv pip compile requirements.in --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(STATE) dbt_project/target dbt_project/logs
