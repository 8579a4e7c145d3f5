# Commons: `make run` serves a demo city on http://127.0.0.1:5000; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PO_FILES := $(wildcard commons/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test test-sqlite test-postgresql lint format bench messages translations check \
        vendor clean help

help:
	@echo "make run    set up, migrate, load the demo city, serve on http://$(HOST):$(PORT)"
	@echo "make bench  run the benchmarks in bench/ (results in docs/performance.md)"
	@echo "make test   lint and run the tests (again on PostgreSQL if COMMONS_TEST_DATABASE_URL is set)"

# --- prerequisites, said plainly -------------------------------------------------------------
check:
	@command -v $(PYTHON) >/dev/null || { echo "Missing: Python 3.11 or newer ($(PYTHON) not found)."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Commons needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1)."; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || \
	  { echo "Missing: Python's venv module. On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	@for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0; do \
	  /sbin/ldconfig -p 2>/dev/null | grep -q "$$lib" || missing="$$missing $$lib"; done; \
	  if [ -n "$$missing" ]; then echo "Missing system libraries for PDF rendering:$$missing"; \
	  echo "On Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; \
	  exit 1; fi

$(VENV)/.installed: setup.cfg pyproject.toml | check
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

commons/translations/%/LC_MESSAGES/messages.mo: commons/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d commons/translations -l $* >/dev/null

translations: $(MO_FILES)

# --- the two front-door commands ---------------------------------------------------------------
# FLASK_RUN_HOST and FLASK_RUN_PORT tell every step where the site is served: unless
# COMMONS_PUBLIC_URL is set, the links it prints (the pacts' QR codes made by the demo,
# invitations, notifications) lead to http://$(HOST):$(PORT).
run: export FLASK_RUN_HOST = $(HOST)
run: export FLASK_RUN_PORT = $(PORT)
run: $(VENV)/.installed translations
	$(BIN)/commons init
	$(BIN)/commons demo
	@echo
	@echo "Serving Commons on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	COMMONS_SECURE_COOKIES=$${COMMONS_SECURE_COOKIES:-0} \
	COMMONS_SIGNING_P12=$${COMMONS_SIGNING_P12:-$(CURDIR)/instance/demo-seal.p12} \
	$(BIN)/flask --app commons run --host $(HOST) --port $(PORT)

# The two passes run side by side: each leaves part of the two cores idle (the browser, the
# database server, waiting on each other), and each has its own databases (tests/conftest.py).
# --output-sync shows each pass's output whole, when it ends.
test: lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Two workers (pytest-xdist) on the two cores; each has its own database (tests/conftest.py).
# --dist loadgroup sends the tests marked xdist_group("demo") to one worker (one demo load per
# pass); tests/conftest.py puts xdist's group suffix where pytest 9 reads node ids.
TEST_WORKERS ?= 2
test-sqlite: $(VENV)/.installed translations
	$(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup

# The database tests again on PostgreSQL. If the variable is set and the server is down, the
# run fails (tests/conftest.py refuses to start); it never skips silently.
test-postgresql: $(VENV)/.installed translations
	@if [ -n "$$COMMONS_TEST_DATABASE_URL" ]; then \
	  echo "Database tests on PostgreSQL"; \
	  COMMONS_TEST_BACKEND=postgresql $(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup -m db; \
	else echo "COMMONS_TEST_DATABASE_URL is not set: PostgreSQL pass not run."; fi

# Benchmarks against their baselines, in one run; figures go to docs/performance.md.
# PostgreSQL parts use COMMONS_BENCH_DATABASE_URL (default: the local server).
bench: $(VENV)/.installed translations
	$(BIN)/python -m bench

# --- upkeep -------------------------------------------------------------------------------------
messages: $(VENV)/.installed
	$(BIN)/python -m commons.i18n update

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh vendored front-end files from the npm registry (needs node and npm).
BOOTSTRAP_VERSION ?= 5.3.8
AXE_VERSION ?= 4.14.1
LEAFLET_VERSION ?= 1.9.4
SWAGGER_UI_VERSION ?= 5.35.0
vendor:
	rm -rf /tmp/commons-vendor && mkdir -p /tmp/commons-vendor commons/static/vendor/bootstrap
	cd /tmp/commons-vendor && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) >/dev/null && tar xzf bootstrap-$(BOOTSTRAP_VERSION).tgz
	cp /tmp/commons-vendor/package/dist/css/bootstrap.min.css /tmp/commons-vendor/package/dist/js/bootstrap.bundle.min.js \
	   /tmp/commons-vendor/package/LICENSE commons/static/vendor/bootstrap/
	sed -i '/sourceMappingURL/d' commons/static/vendor/bootstrap/bootstrap.min.css commons/static/vendor/bootstrap/bootstrap.bundle.min.js
	# axe-core: the accessibility checker the browser tests inject (tests/e2e/), not served.
	cd /tmp/commons-vendor && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && mkdir -p axe && tar xzf axe-core-$(AXE_VERSION).tgz -C axe
	mkdir -p tests/e2e/vendor && cp /tmp/commons-vendor/axe/package/axe.min.js tests/e2e/vendor/ && cp /tmp/commons-vendor/axe/package/LICENSE tests/e2e/vendor/axe-core.LICENSE
	rm -rf commons/static/vendor/leaflet && mkdir -p commons/static/vendor/leaflet/images
	cd /tmp/commons-vendor && rm -rf package && npm pack --silent leaflet@$(LEAFLET_VERSION) >/dev/null && tar xzf leaflet-$(LEAFLET_VERSION).tgz
	cp /tmp/commons-vendor/package/dist/leaflet.js /tmp/commons-vendor/package/dist/leaflet.css \
	   /tmp/commons-vendor/package/LICENSE commons/static/vendor/leaflet/
	cp /tmp/commons-vendor/package/dist/images/*.png commons/static/vendor/leaflet/images/
	sed -i '/sourceMappingURL/d' commons/static/vendor/leaflet/leaflet.js
	mkdir -p commons/static/vendor/swagger-ui
	cd /tmp/commons-vendor && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) >/dev/null && mkdir -p swagger-ui && tar xzf swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz -C swagger-ui
	cd /tmp/commons-vendor/swagger-ui/package && cp swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE \
	   $(CURDIR)/commons/static/vendor/swagger-ui/
	sed -i '/sourceMappingURL/d' commons/static/vendor/swagger-ui/swagger-ui-bundle.js commons/static/vendor/swagger-ui/swagger-ui.css

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache $(MO_FILES)
