# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every dependency (dev included) pinned with its hashes; `make lock` writes it from pyproject.toml.
LOCK := requirements.lock
LOWEST := .venv-lowest
# Extra flags for `make lock`, e.g. `make lock LOCK_FLAGS=--upgrade` to move every pin to the newest.
LOCK_FLAGS ?=

.PHONY: run test test-lowest check bench docs lock browser-deps clean

# The environment is installed from the lock only: pinned versions, every file checked against its hash.
$(STAMP): pyproject.toml $(LOCK)
	$(PY) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; echo "$(LOCK) does not satisfy pyproject.toml: run make lock"; exit 1; }
	touch $(STAMP)

## make lock: pin every dependency with hashes into requirements.lock (run after editing pyproject.toml)
lock:
	@test -x $(BIN)/uv || { $(PY) -m venv $(VENV) && $(BIN)/pip install --quiet 'uv>=0.5'; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
		--quiet $(LOCK_FLAGS) --output-file $(LOCK)

## make run: set up, print a demo plan and day, then serve the app on SQLite with demo data
run: $(STAMP)
	$(BIN)/msinfusion demo --time-limit 3
	$(BIN)/msinfusion serve --demo

## make test: lint, types and the whole test suite (browser and PostgreSQL tests included)
test: $(STAMP) browser-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 -p xdist -m "not alone"
	$(BIN)/pytest -n 0 -m alone -s

## make test-lowest: the quick tests in a separate venv holding the oldest versions pyproject.toml allows
test-lowest: $(STAMP)
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(PY) $(LOWEST)
	VIRTUAL_ENV=$(LOWEST) $(BIN)/uv pip install --quiet --resolution lowest-direct -e '.[dev]'
	$(LOWEST)/bin/pytest -n 2 -m "not browser and not slow" -p no:cacheprovider

## make check: the quick loop: lint, types, layer contracts, tests (no browser, no slow solver runs)
check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 -m "not browser and not slow"

## Debian's Chromium for the Playwright tests (its own browser download does not work here), and nginx
## for the test that serves the app behind a TLS-terminating proxy
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core)
	@test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light)

## make bench: every benchmark, printing its figures
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## make docs: regenerate the CLI reference from the commands' help
docs: $(STAMP)
	$(BIN)/python -m msinfusion.cli.reference > docs/cli.md
	$(BIN)/python -m msinfusion.settings > docs/settings.md

clean:
	rm -rf $(VENV) $(LOWEST) .mypy_cache .pytest_cache .ruff_cache
