# The blog's commands. `make run` and `make test` each do the whole set-up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
HTMX_DIR := static/vendor/htmx
export FLASK_APP := blog

.PHONY: run dev test test-fast test-postgres lint bench bench-tools prereqs setup demo clean screenshots

run: setup
	@echo "Serving the blog at http://$(HOST):$(PORT)/ . It answers only to the host names in"
	@echo "TRUSTED_HOSTS (default: localhost, 127.0.0.1, and the host of SITE_URL); to serve it under"
	@echo "your own name, e.g. BLOG_SITE_URL=https://blog.example.org make run (see README, Security)."
	$(BIN)/python serve.py --host $(HOST) --port $(PORT) --workers $(WORKERS)

dev: setup
	$(BIN)/flask prepare
	$(BIN)/flask --debug run --host $(HOST) --port $(PORT)

# Everything: lint, format, types, every test (browser and end-to-end included) on SQLite,
# then the in-process tests again on PostgreSQL (127.0.0.1:5432).
test: setup $(VENV)/.test-deps lint
	$(BIN)/pytest
	$(MAKE) --no-print-directory test-postgres

# The in-process tests on PostgreSQL: one database for the run, emptied after each test.
test-postgres: setup $(VENV)/.test-deps
	TEST_DATABASE=postgres $(BIN)/pytest -m "not browser and not standards and not e2e"

# The in-process tests only (no browser, no real server): the quick loop while working.
test-fast: setup $(VENV)/.test-deps
	$(BIN)/pytest -m "not browser and not standards and not e2e"

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

demo: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load

screenshots: setup $(VENV)/.test-deps
	$(BIN)/python scripts/screenshots.py

setup: prereqs $(VENV)/.deps $(HTMX_DIR)/htmx.min.js $(VENV)/.precompressed

# Stop at once, with a clear message, when the machine lacks what set-up needs.
prereqs:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: Python 3.11 or newer is needed, found $$($(PYTHON) --version 2>&1)" >&2; exit 1; }
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found; install Node.js with npm (Debian: apt-get install npm) to fetch htmx" >&2; exit 1; }

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.deps
	$(BIN)/pip install --quiet -e '.[postgres,test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# htmx is installed from the npm registry, pinned by package-lock.json, never committed.
$(HTMX_DIR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(HTMX_DIR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/dist/htmx.min.js.map $(HTMX_DIR)/
	cp node_modules/htmx.org/LICENSE $(HTMX_DIR)/LICENSE 2>/dev/null || true

# Brotli and gzip copies beside the static text files (blog.core.precompress), made again when
# a file changes: the app and nginx's gzip_static send them. Git ignores them.
STATIC_TEXT := $(shell find static -type f \( -name '*.css' -o -name '*.js' -o -name '*.svg' \) 2>/dev/null)
$(VENV)/.precompressed: $(VENV)/.deps $(HTMX_DIR)/htmx.min.js $(STATIC_TEXT)
	$(BIN)/python -m blog.core.precompress static
	touch $@

# The speed benchmark (scripts/bench.py); SCALE=large for 100,000 posts. Its dataset is kept
# in .bench/. It needs wrk and nginx: installed here with apt-get when missing and run as root.
bench: setup $(VENV)/.test-deps bench-tools
	$(BIN)/python scripts/bench.py

bench-tools:
	@missing=""; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$$missing nginx"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing$$missing (apt-get)"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "error: make bench needs$$missing (Debian: sudo apt-get install$$missing)" >&2; \
			exit 1; \
		fi; \
	fi

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
	find static \( -name '*.br' -o -name '*.gz' \) -delete
