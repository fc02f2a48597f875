# The two commands: `make run` serves the portal with demo data, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# `make bench` measures as in production: sessions and caches in Redis (database 15).
BENCH_ARGS ?= --redis redis://127.0.0.1:6379/15

.PHONY: run test lint install messages clean bench

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@# The e-mail worker runs beside the server and stops with it.
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
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

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .import_linter_cache
