# Partner Contact Portal: `make run` serves the demo, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := portal

.PHONY: run serve test test-sqlite test-postgresql test-locales lint audit bench bench-tools drills messages translations chromium clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

venv: $(BIN)/.installed

# Compiled catalogs are build output: made from translations/*/LC_MESSAGES/messages.po, never committed.
translations: venv
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile --use-fuzzy -d translations >/dev/null; fi

messages: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --omit-header -o translations/messages.pot .
	$(BIN)/pybabel update -N -i translations/messages.pot -d translations --omit-header --ignore-obsolete

run: export PORTAL_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: venv translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	@echo "Serving on http://127.0.0.1:$(PORT) (console SMS backend; messages are printed here)."
	@echo "Staff console (sign in with the accounts above): http://127.0.0.1:$(PORT)/staff/ (or /console)"
	@$(BIN)/flask worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT) --no-reload

# Production serving: gunicorn (WEB_CONCURRENCY processes x WEB_THREADS threads on WEB_HOST:PORT) and the
# notification worker, started and stopped together, after `flask db upgrade` (portal/serve.py;
# docs/deployment.md). Needs the production settings when PORTAL_ENV=production, and refuses to start without.
serve: venv translations
	PORT=$(PORT) $(BIN)/python -m portal.serve

chromium:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
	  echo "Installing Chromium from the system package manager for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: venv
	$(BIN)/ruff check portal tests scripts migrations
	@# bandit repeats a harmless warning for each line of a statement marked `# nosec`; that line is dropped.
	@$(BIN)/bandit -q -r portal -c pyproject.toml 2>&1 | grep -v "but no failed test on file"; \
	  exit $${PIPESTATUS[0]}
	$(BIN)/mypy

audit: venv
	$(BIN)/python scripts/dependency_audit.py

test-sqlite: venv translations chromium
	PORTAL_TEST_DB=sqlite $(BIN)/pytest -q -p no:cacheprovider --durations=15

test-postgresql: venv translations chromium
	PORTAL_TEST_DB=postgresql $(BIN)/pytest -q -p no:cacheprovider --durations=15

# The two suites run side by side (2 cores); each one's output is printed whole when it ends, with its 15 slowest
# tests (the README's "The test suite").
test: lint audit
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

# Every locale (DESIGN 8): the first-screen, axe-core, keyboard and sideways-scrolling sweeps of her pages in all 14
# of them, and the admin's, her worker's and the facilitator's pages in each of the console's languages
# (`make test` sweeps en, de, ar and one locale a day). SQLite only, as the browser tests are.
LOCALE_SWEEPS := tests/browser/test_first_screen.py tests/browser/test_public_axe.py tests/browser/test_keyboard.py \
  tests/browser/test_console_auth_axe.py tests/browser/test_console_locales_axe.py
test-locales: venv translations chromium
	PORTAL_TEST_LOCALES=all PORTAL_TEST_DB=sqlite $(BIN)/pytest -q -p no:cacheprovider $(LOCALE_SWEEPS)

# The slow drills: the fuzz targets with ten times the cases (random, not the suite's fixed ones), the limits
# and the SIGKILL fault drill, on SQLite and PostgreSQL; the scale-out drill (2 web processes, 3 workers, one
# PostgreSQL and one Redis; PostgreSQL only, and in `make test` with fewer messages).
DRILLS := tests/test_fuzz_forms.py tests/test_fuzz_machines.py tests/test_limits.py tests/test_dispatch_faults.py \
  tests/test_scale_out.py
drills: venv translations
	PORTAL_DRILLS=1 PORTAL_TEST_DB=sqlite $(BIN)/pytest -q -p no:cacheprovider $(DRILLS)
	PORTAL_DRILLS=1 PORTAL_TEST_DB=postgresql $(BIN)/pytest -q -p no:cacheprovider $(DRILLS)

# The load generator for scripts/bench_serve.py (wrk, from the system's packages) and npm for GOV.UK Frontend's
# exit-this-page (scripts/bench_pages.py installs it into a temporary directory). Never part of `make test`.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing wrk from the system package manager for make bench"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	@command -v npm >/dev/null 2>&1 || echo "npm not found: the GOV.UK Frontend comparison will be skipped"

bench: venv translations chromium bench-tools
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
