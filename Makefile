# The two commands: `make run` serves the portal with demo data, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Where `make run` serves: `make run HOST=192.168.1.20 PORT=8080` (see README.md, "Host and port").
HOST ?= 127.0.0.1
PORT ?= 8000
# The address the links in e-mails start with: where `make run` serves, unless people reach the
# portal by another address (HOST=0.0.0.0 listens on every interface: give PORTAL_URL too).
PORTAL_URL ?= http://$(HOST):$(PORT)
# `make bench` measures as in production: sessions and caches in Redis (database 15).
BENCH_ARGS ?= --redis redis://127.0.0.1:6379/15
# The lock files: exact versions with their hashes, runtime alone and with the dev extras.
LOCK_BASE := requirements/base.txt
LOCK_DEV := requirements/dev.txt
# `make lock` resolves them with this pip-tools; LOCK_ARGS="--upgrade-package django" moves one
# pin, LOCK_ARGS=--upgrade all of them (see README.md, "Dependencies").
PIP_TOOLS ?= pip-tools==7.7.0
PIP_COMPILE_ARGS := --quiet --generate-hashes --strip-extras --no-emit-index-url \
	--no-emit-find-links $(LOCK_ARGS)

.PHONY: run test lint install lock messages clean bench page-weight

# Exactly the locked versions, each checked against its hash; then the project itself.
$(INSTALLED): pyproject.toml $(LOCK_DEV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(INSTALLED)

install: $(INSTALLED)

# After a change to the dependencies in pyproject.toml: pip-tools runs in a throwaway venv and
# keeps every pin that still fits.
lock:
	tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	$(PYTHON) -m venv "$$tools" && \
	"$$tools/bin/python" -m pip install --quiet "$(PIP_TOOLS)" && \
	export CUSTOM_COMPILE_COMMAND="make lock" && \
	"$$tools/bin/pip-compile" $(PIP_COMPILE_ARGS) --output-file $(LOCK_BASE) pyproject.toml && \
	"$$tools/bin/pip-compile" $(PIP_COMPILE_ARGS) --extra dev --output-file $(LOCK_DEV) pyproject.toml

run: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@# The e-mail worker and the scheduler run beside the server and stop with it; all three know
	@# the portal's address.
	export PORTAL_URL='$(PORTAL_URL)'; \
	$(BIN)/python manage.py db_worker & worker=$$!; \
	$(BIN)/python manage.py scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-logo

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Regenerates the translation catalogues (needs GNU gettext) after strings change.
messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages --locale id --locale en --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# The real-traffic mix (many people, shuffled pages, 2 writes a second), then every page, at city
# scale against a bare Django view: needs PostgreSQL on 127.0.0.1:5432 and wrk (apt-get install
# wrk); the first run builds its databases. See docs/performance.md.
bench: $(INSTALLED)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# What a resident's phone downloads for the meeting page, first and repeat visit, and its load
# time under Chromium's "Regular 3G": needs Debian's Chromium (apt-get install chromium); the
# demo data in a temporary SQLite database, gunicorn with the production settings.
page-weight: $(INSTALLED)
	$(BIN)/python benchmarks/page_weight.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .import_linter_cache
