# Qinglang — see README.md. Every target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
QL := $(VENV)/bin/qinglang
VENDOR := src/qinglang/static/vendor
VENDOR_FILES := node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js

.PHONY: messages demo test test-fast lint bench eval static venv replay-tools migrations-check clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "Python's venv module is missing: on Debian run 'apt install python3-venv'." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

# pywb in a venv of its own (see requirements-replay.txt) for the evidence replay test; without
# it (no package index, say) that test is skipped with a message, and CI makes it required.
REPLAY_VENV := .venv-replay
replay-tools: $(REPLAY_VENV)/.installed
$(REPLAY_VENV)/.installed: requirements-replay.txt
	@{ $(PYTHON) -m venv $(REPLAY_VENV) && $(REPLAY_VENV)/bin/python -m pip install -q -r requirements-replay.txt \
		&& touch $@; } || echo "pywb could not be installed: the evidence replay test will be skipped." >&2

# Front-end packages come from npm (package-lock.json is committed); their built files are copied
# into static files. Without npm the pages still work, without live refresh and charts.
static: $(VENDOR)/.copied
$(VENDOR)/.copied: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && \
		mkdir -p $(VENDOR) && cp $(VENDOR_FILES) $(VENDOR)/ && touch $@; \
	else echo "npm not found: skipping htmx and ECharts (install Node.js/npm for live status and charts)." >&2; fi

demo: venv static
	DEBUG=1 $(QL) migrate --no-input -v0
	DEBUG=1 $(QL) demo_data
	DEBUG=1 $(QL) collectstatic --no-input -v0
	DEBUG=1 QINGLANG_ALLOW_PRIVATE_URLS=1 $(QL) run --demo-feed

test: venv static replay-tools
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: venv
	$(PY) -m pytest --no-browser -q $(PYTEST_ARGS)

migrations-check: venv
	$(QL) makemigrations --check --dry-run

lint: venv
	$(VENV)/bin/ruff check src tests bench eval scripts
	$(VENV)/bin/mypy

# Engine throughput and scale, then the monitor's ingest, search and report figures on a
# throw-away database (MONITOR_SEARCH_DOCS=1000000 for the full-size search figure, ~13 min).
MONITOR_SEARCH_DOCS ?= 200000
bench: venv
	$(PY) bench/run.py
	d=$$(mktemp -d); QINGLANG_VAR_DIR=$$d $(QL) migrate -v0 && QINGLANG_VAR_DIR=$$d $(QL) monitor_bench --yes --search-docs $(MONITOR_SEARCH_DOCS); rc=$$?; rm -rf $$d; exit $$rc

eval: venv
	$(PY) eval/gate.py

clean:
	rm -rf $(VENV) $(REPLAY_VENV) node_modules $(VENDOR) var .pytest_cache .mypy_cache .ruff_cache

# Extract strings (needs GNU gettext's xgettext) into the project catalogue and into each module
# that keeps its own (src/qinglang/<module>/locale/), then compile them all with polib.
MODULES_WITH_LOCALE := $(patsubst src/qinglang/%/locale,%,$(wildcard src/qinglang/*/locale))
messages: venv
	cd src/qinglang && DJANGO_SETTINGS_MODULE=qinglang.settings ../../$(VENV)/bin/django-admin makemessages -l zh_Hans --no-location --no-obsolete -i "engine/*" $(foreach m,$(MODULES_WITH_LOCALE),-i "$(m)/*")
	for m in $(MODULES_WITH_LOCALE); do (cd src/qinglang/$$m && DJANGO_SETTINGS_MODULE=qinglang.settings ../../../$(VENV)/bin/django-admin makemessages -l zh_Hans --no-location --no-obsolete) || exit 1; done
	$(PY) scripts/compilemessages.py
