# NormsDB — make run (serve with the curated data), make test (the whole suite).
# Every step a fresh machine needs is here: venv, install, database, migrations, data.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DATASET := data/normsdb.json
INSTALLED := $(VENV)/.installed

.PHONY: run test install serve lint format shell dbshell clean bench-search bench-import load backup restore export-data

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	# Dependencies straight from pyproject.toml; the project runs from the checkout, so it is
	# not itself installed (no build step, no egg-info).
	$(BIN)/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
		print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	touch $(INSTALLED)

install: $(INSTALLED)

## run: set up, migrate, load the curated dataset into an empty database, serve on HOST:PORT
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_dataset --if-empty $(DATASET)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: set up and run the whole suite (browser tests included when Chromium is present)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## serve: production server (gunicorn + whitenoise); needs SECRET_KEY, ALLOWED_HOSTS and SITE_URL
serve: install
	DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DEBUG=0 $(BIN)/python manage.py import_dataset --if-empty $(DATASET)
	DEBUG=0 $(BIN)/gunicorn normsdb.wsgi --bind $(HOST):$(PORT) \
		--workers $$($(BIN)/python -c 'import os; print(2 * os.cpu_count() + 1)') \
		--timeout 30 --graceful-timeout 10 --access-logfile -

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

shell: install
	$(BIN)/python manage.py shell

dbshell: install
	$(BIN)/python manage.py dbshell

export-data: install
	$(BIN)/python manage.py export_dataset $(DATASET)

bench-search: install
	$(BIN)/python -m tests.bench.search $(ARGS)

bench-import: install
	$(BIN)/python -m tests.bench.dataset_import $(ARGS)

load: install
	$(BIN)/python -m tests.bench.load $(ARGS)

backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=.normsdb/backups/<name>.dump" && exit 2)
	$(BIN)/python manage.py restore $(FILE)

## clean: remove the venv, caches and collected static files (keeps the database)
clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
