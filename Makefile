# The two commands a newcomer types: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
export FLASK_APP := wsgi

.PHONY: run test test-pg lint bench chromium wrk clean screenshots

$(VENV)/.base: requirements/base.in requirements/constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/base.in -c requirements/constraints.txt
	touch $@

$(VENV)/.test: $(VENV)/.base requirements/test.in
	$(BIN)/pip install -q -r requirements/test.in -c requirements/constraints.txt
	touch $@

## make run: install, migrate, load demo data, serve UI + API + scheduler on :5000
run: $(VENV)/.base
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	@echo "cki draait op http://127.0.0.1:5000  (API-documentatie: /api/v1/docs)"
	SCHEDULER_ENABLED=1 $(BIN)/flask run --host 127.0.0.1 --port 5000 --no-reload

## make test: install test tools (and Debian's chromium for browser tests), run the suite with
## branch coverage (it fails below the floor in pyproject.toml)
test: $(VENV)/.test chromium
	$(BIN)/python -m pytest --cov --cov-report=term

## make lint: ruff over the code and the tests
lint: $(VENV)/.test
	$(BIN)/ruff check .

## make test-pg: the same suite on the local PostgreSQL
test-pg:
	DATABASE_URL=$(PG_URL) $(MAKE) test

## make bench: the performance benchmarks; figures go in the README
bench: $(VENV)/.test wrk
	$(BIN)/python bench/bench_calendar.py
	$(BIN)/python bench/bench_intake.py
	$(BIN)/python bench/bench_staff_pages.py
	$(BIN)/python bench/bench_sweeps.py
	$(BIN)/python bench/bench_deadline_sweep.py

## make screenshots: the README's pictures (docs/img), taken by the browser tests in a real chromium
screenshots: $(VENV)/.test chromium
	mkdir -p docs/img
	CKI_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser/test_finding_category_a.py tests/browser/test_screenshots.py

wrk:
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
