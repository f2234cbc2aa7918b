# The README's two commands: `make demo` (install + demo data + serve) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
RALPH_VENV := .venv-ralph
PY := $(VENV)/bin/python
LMS := $(VENV)/bin/lms
HOST ?= 127.0.0.1
PORT ?= 5000
# the address to open: browsers resolve *.localhost to this machine, and the package files then come from
# content.lms.localhost, the same site (lms.catalog.content): offline downloads work (issue #22)
DEMO_URL ?= http://lms.localhost:$(PORT)

.PHONY: install ralph demo serve test test-sqlite test-postgres lint i18n browsers bench clean packages

install: $(VENV)/.installed node_modules/.installed lms/static/vendor/.copied lms/static/vendor/offline/.built translations

# Ralph, the LRS the xAPI tests start (tests/lms/xapi): its own virtualenv, its dependencies never meet ours.
# ralph-malph 5.1 imports requests without declaring it, hence the second package.
$(RALPH_VENV)/.installed:
	$(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RALPH_VENV)/bin/python -m pip install --quiet 'ralph-malph[cli,lrs]==5.1.0' requests
	touch $@

ralph: $(RALPH_VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,xblock]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lms/static/vendor/.copied: node_modules/.installed scripts/copy-vendor.mjs
	node scripts/copy-vendor.mjs

# the offline layer's service workers (Workbox + esbuild; docs/offline.md)
lms/static/vendor/offline/.built: node_modules/.installed scripts/build-sw.mjs $(wildcard lms/static/sw/*.js) $(wildcard lms/static/js/*.js) $(wildcard lms/static/css/*.css)
	node scripts/build-sw.mjs
	touch $@

translations: $(VENV)/.installed
	@$(VENV)/bin/pybabel --quiet compile -d lms/translations

demo: install
	LMS_ENV=development LMS_BASE_URL=$(DEMO_URL) $(LMS) db upgrade
	LMS_ENV=development LMS_BASE_URL=$(DEMO_URL) $(LMS) demo
	@echo "Mở / open $(DEMO_URL)/login"
	LMS_ENV=development LMS_BASE_URL=$(DEMO_URL) $(LMS) run --host $(HOST) --port $(PORT)

serve: install
	@echo "Mở / open $(DEMO_URL)/login"
	LMS_ENV=development LMS_BASE_URL=$(DEMO_URL) $(LMS) run --host $(HOST) --port $(PORT)

packages: install
	$(LMS) packages build

# the test suite also needs Ralph (a real LRS); the demo does not
test: install ralph
	bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

i18n: $(VENV)/.installed
	$(PY) scripts/i18n.py

browsers:
	@command -v /usr/bin/chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

clean:
	rm -rf $(VENV) $(RALPH_VENV) node_modules lms/static/vendor build .pytest_cache
