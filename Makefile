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

# After `make plan` made the venv (see below): it has no setuptools, and parliament needs its pkg_resources,
# which ensurepip brings as a regular venv would (no network: its bundled wheels; a newer pip stays); and its
# packages are not compiled, which compileall does as pip would have (up-to-date .pyc are skipped), so the
# test processes do not each recompile pulumi-aws where bytecode is not written at run time
# (PYTHONDONTWRITEBYTECODE).
SITE_PACKAGES = $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
$(STAMP): pyproject.toml requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import setuptools' 2>/dev/null || $(PY) -m ensurepip --default-pip >/dev/null
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -e .
	@$(PY) -m compileall -qq -j 0 $(SITE_PACKAGES) || true  # as pip's own compile: a file that fails is skipped
	@touch $(STAMP) $(RUNTIME_STAMP)

# `make plan` needs only the library and its runtime dependencies (what the Pulumi program needs), not
# the test toolchain. A cold start (fresh clone, empty pip cache; bench/cold_start.py) took 47-60 s on a
# shared 2-core machine and takes 26-40 s there now, under 30 s when it is not busy:
# - --no-compile: pulumi-aws is 3,100 modules (121 MB of source); compiling them all at install time was
#   over half of a cold start, while a plan imports about 400 of them and compiles those on first import
#   (Python then caches their .pyc; where PYTHONDONTWRITEBYTECODE is set it cannot, and each plan compiles
#   them again, about 2 s: `make setup` compiles the whole venv).
# - no ensurepip: `python -m venv` installs pip and setuptools and compiles both (4-14 s here). When the
#   host's pip has `--python` (pip >= 22.3) the venv starts without pip and that pip installs into it,
#   pip itself included (uncompiled); otherwise a regular venv.
RUNTIME_PIP := install --quiet --disable-pip-version-check --no-compile -r requirements.txt
HOST_PIP_OK := $(PYTHON) -c 'import pip, sys; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (22, 3))'
$(RUNTIME_STAMP): pyproject.toml requirements.txt
	@test -x $(PY) || { $(HOST_PIP_OK) 2>/dev/null && $(PYTHON) -m venv --without-pip $(VENV); } \
		|| $(PYTHON) -m venv $(VENV)
	@if test -x $(VENV)/bin/pip; then set -x; $(PY) -m pip $(RUNTIME_PIP); \
	else set -x; $(PYTHON) -m pip --python $(PY) $(RUNTIME_PIP) pip; fi
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
