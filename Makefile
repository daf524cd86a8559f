# Flywheel: `make demo` runs the main job on the bundled sample; `make test` runs the test suite.
# Both create and update .venv as needed, so they work on a fresh clone.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The local CPU build; installed before the project so the installer never resolves a multi-GB CUDA wheel.
TORCH_VERSION ?= 2.13.0
export FLYWHEEL_HOME ?= $(CURDIR)/.flywheel
# DeepSpeed on a machine without a GPU.
export DS_ACCELERATOR ?= cpu

.PHONY: setup demo test serve ui clean cluster-up cluster-down deploy-up deploy-down

setup: $(VENV)/.installed

$(VENV)/.java-ok: infra/check_java.sh
	@infra/check_java.sh
	@mkdir -p $(VENV) && touch $@

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# infra/install_packages.py installs with uv, configured as pip is on this machine (setup 85 s ->
# ~40 s on 2 cores). It writes the bytecode at install: where PYTHONDONTWRITEBYTECODE is set, nothing
# else writes it, and every process would compile torch and the rest again (import 4.9 s -> 11 s).
$(VENV)/.installed: pyproject.toml infra/install_packages.py $(BIN)/python $(VENV)/.java-ok
	$(BIN)/python infra/install_packages.py "torch==$(TORCH_VERSION)"
	$(BIN)/python infra/install_packages.py -e '.[dev]'
	@touch $@

demo: setup
	$(BIN)/flywheel demo

$(VENV)/.chromium-ok: infra/ensure_debian_package.sh
	@infra/ensure_debian_package.sh chromium "the browser tests" command -v chromium
	@mkdir -p $(VENV) && touch $@

$(VENV)/.postgres-ok: infra/ensure_debian_package.sh
	@infra/ensure_debian_package.sh postgresql "the Dagster deployment and its test" \
		compgen -G '/usr/lib/postgresql/*/bin/pg_ctl'
	@mkdir -p $(VENV) && touch $@

test: setup $(VENV)/.chromium-ok $(VENV)/.postgres-ok
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The OpenAI-compatible model server on 127.0.0.1:8000 over the registry's production (and canary).
serve: setup
	$(BIN)/flywheel serve

# Dagster UI and daemon (sensors, schedules, backfills) on 127.0.0.1 with the persistent instance.
ui: setup
	$(BIN)/python -c "from flywheel.home import FlywheelHome; FlywheelHome.from_env().ensure()"
	DAGSTER_HOME=$(FLYWHEEL_HOME)/dagster $(BIN)/dagster dev -w flywheel/bundled/workspace.yaml -h 127.0.0.1 -p 3000

# A Spark standalone cluster on 127.0.0.1 (a master and two 1-core workers, state under
# $(FLYWHEEL_HOME)/spark-cluster); curation uses it with FLYWHEEL_SPARK_MASTER=spark://127.0.0.1:7077.
cluster-up: setup
	$(BIN)/python infra/spark/cluster.py up

cluster-down: setup
	$(BIN)/python infra/spark/cluster.py down

# A production-style Dagster on this machine: PostgreSQL storage, a code server, dagster-daemon and
# dagster-webserver (http://127.0.0.1:3000) as separate processes; state under $(FLYWHEEL_HOME)/deployment.
deploy-up: setup $(VENV)/.postgres-ok
	$(BIN)/python infra/dagster/deploy.py up

deploy-down: setup
	$(BIN)/python infra/dagster/deploy.py down

clean:
	rm -rf $(FLYWHEEL_HOME)
