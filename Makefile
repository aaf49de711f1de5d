# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check bench docs browser-deps clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

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
	$(BIN)/pytest -n 2 -p xdist

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
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
