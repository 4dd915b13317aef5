# Cakap — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 1

.PHONY: run test install system browser lint check bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, import the shipped courses, load the demo, start the job
## worker, serve on :8000
run: $(STAMP) system
	$(BIN)/cakap init
	CAKAP_BASE_URL=$${CAKAP_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/cakap demo
	@$(BIN)/cakap worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  CAKAP_BASE_URL=$${CAKAP_BASE_URL:-http://$(HOST):$(PORT)} \
	  $(BIN)/cakap serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

## Debian packages: Pango and fonts for certificate PDFs (WeasyPrint)
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation fonts-dejavu-core
system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing (sudo apt-get install -y$$missing)" >&2; exit 1; \
	  fi; \
	fi

## Debian's Chromium for the browser tests (Playwright cannot download browsers here), and
## pdftoppm and zbarimg to render a certificate and scan its QR code
browser: system
	@if [ ! -x /usr/bin/chromium ] && [ -z "$$CAKAP_CHROMIUM" ] || ! command -v zbarimg >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils zbar-tools >/dev/null; \
	  else \
	    echo "Missing test tools: run 'sudo apt-get install -y chromium poppler-utils zbar-tools' (Debian) first." >&2; exit 1; \
	  fi; \
	fi

## make test: install and run the whole suite (SQLite; set CAKAP_TEST_DATABASE_URL for PostgreSQL)
test: $(STAMP) browser
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports

check: lint test

## make bench: performance figures (a real server, load from this machine), on SQLite by default;
## BENCH_DATABASE=postgres make bench: on a fresh PostgreSQL database (BENCH_POSTGRES_URL's server,
## default postgres@127.0.0.1:5432); BENCH_ONLY=exam,burst make bench: some parts only
## (pages, weight, burst, exam, exam-burst, import, reports, certificates; see tests/benchmarks/run.py)
bench: $(STAMP) browser
	@if ! command -v wrk >/dev/null && [ "$$(id -u)" = "0" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null || true; \
	fi
	$(BIN)/python -m tests.benchmarks.run $(if $(BENCH_DATABASE),--database $(BENCH_DATABASE)) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

screenshots: $(STAMP) browser
	$(BIN)/python -m tests.e2e.screenshots

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
