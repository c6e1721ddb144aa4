# Lucky Gas back office. `make run` sets everything up and serves the app;
# `make test` runs the suite (SQLite, or PostgreSQL when DATABASE_URL is set).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/luckygas

.PHONY: install run migrate test test-sqlite test-postgres lint format check-migrations ci bench load

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --verbosity 0

run: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-empty
	@echo "在瀏覽器打開 http://$(HOST):$(PORT)/ 並以上面的示範帳號登入"
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest -q

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest -q

test-postgres: install
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: install
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

ci: lint check-migrations test-sqlite test-postgres

# The data set sizes of the page benchmark: the company's, and ten times it.
BENCH_SIZES ?= 349920 3500000

bench: install
	$(BIN)/python bench/import_history.py
	for size in $(BENCH_SIZES); do $(BIN)/python bench/pages.py --deliveries $$size || exit 1; done

load: install
	$(BIN)/python bench/load.py
