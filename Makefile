# Every target bootstraps what it needs: a fresh clone runs `make plan` or `make test` directly.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: setup system-deps plan test test-fast lint bench schema docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -e .
	@touch $(STAMP) $(RUNTIME_STAMP)

# `make plan` needs only the library and its runtime dependencies (what the Pulumi program needs), not
# the test toolchain: a cold quick start stays under a minute.
$(RUNTIME_STAMP): pyproject.toml requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(RUNTIME_STAMP)

# Database servers the runtime tests start themselves (PostgreSQL 15 is in the image;
# MariaDB and PgBouncer come from Debian's packages) and the workflow linter.
system-deps:
	@bash scripts/ensure-system-deps.sh

plan: $(RUNTIME_STAMP)
	$(VENV)/bin/lambda-rds plan --stack $(STACK)

# mypy runs per entry point: the two Lambda handlers are both module `handler`, and the repository's and
# the provider host's programs are both `__main__`.
lint: setup system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy components/lambda_rds __main__.py
	$(VENV)/bin/mypy components/__main__.py
	$(VENV)/bin/mypy functions/lambda_rds_runtime
	$(VENV)/bin/mypy functions/app/handler.py
	$(VENV)/bin/mypy functions/bootstrap/handler.py
	$(VENV)/bin/mypy functions/rotation/handler.py
	$(VENV)/bin/mypy functions/bootstrap_launcher/handler.py
	@bash scripts/actionlint.sh

test: setup system-deps lint
	$(VENV)/bin/pytest -n 2 --dist loadgroup
	# A consumer's own mock tests, run the way a consumer runs them: from their project folder.
	cd examples/python-consumer && ../../$(VENV)/bin/pytest -q -p no:cacheprovider tests

test-fast: setup
	$(VENV)/bin/pytest -q tests/unit tests/analysis

bench: setup system-deps
	$(PY) bench/datapath.py
	$(PY) bench/readers.py
	$(PY) bench/plan.py

schema: setup
	$(VENV)/bin/lambda-rds schema --out components/schema.json

docs: setup
	$(PY) scripts/gen_docs.py

clean:
	rm -rf $(VENV) .lambda-rds build dist .tools
