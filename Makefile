# CareHub developer commands. `make help` lists them.
SHELL := /bin/bash
# A failing command on the left of a pipe (`... | tee`) fails the recipe.
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
SEED ?= 7
CITY_DB ?= bench-results/city-day.sqlite3
TODAY := $(shell TZ=Asia/Shanghai date +%F)
WEEK_END := $(shell TZ=Asia/Shanghai date -d '+6 days' +%F)
LAST_MONTH := $(shell TZ=Asia/Shanghai date -d "$$(TZ=Asia/Shanghai date +%Y-%m-01) -1 month" +%Y-%m)

.DEFAULT_GOAL := help
.PHONY: help install translations solver demo serve test test-sqlite test-postgres browser lint fmt typecheck bench bench-scale-out load clean

help: ## List the commands
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations solver ## Create .venv and install CareHub with its dev tools

solver: $(STAMP) ## Compile the route search's kernel into numba's cache (about 15 s once, then well under 1 s)
	$(BIN)/carehub compile-solver

translations: $(STAMP) ## Compile the message catalogues
	$(BIN)/pybabel -q compile -d carehub/translations

demo: install ## Install, migrate SQLite, load the demo district, print logins, serve on http://$(HOST):$(PORT) with the scheduler beside it
	$(BIN)/carehub init
	$(BIN)/carehub seed demo --seed $(SEED) >/dev/null
	@# Last month's visits for the auditors, a week of requests from the care plans, and
	@# today's routes planned and published, so every role has work to see; all safe to repeat.
	$(BIN)/carehub seed visits --month $(LAST_MONTH)
	$(BIN)/carehub requests generate --from $(TODAY) --to $(WEEK_END)
	@mkdir -p instance
	$(BIN)/carehub plan --date $(TODAY) --whole-day --publish --time-limit 15 > instance/demo-plan.txt
	@head -n 1 instance/demo-plan.txt; echo "  (unassigned requests and reasons: instance/demo-plan.txt)"
	@# Re-running the seed loads nothing and prints the demo logins last, where they are seen.
	@$(BIN)/carehub seed demo --seed $(SEED)
	@# gunicorn serves the web; Celery workers take planning runs (one) and their circles'
	@# solves (another); the scheduler enqueues its jobs. honcho starts the four and stops
	@# them all on Ctrl-C. Broker and results are SQLite files in instance/ (no server).
	CAREHUB_BIND=$(HOST):$(PORT) CAREHUB_WEB_WORKERS=2 CAREHUB_PLANNING_FANOUT=1 \
		$(BIN)/honcho -f Procfile.demo start

test: install browser ## Run the whole suite on SQLite, then on PostgreSQL when CAREHUB_TEST_DATABASE_URL is set
	@# Both runs go ahead even if the first fails, so one CI run reports both databases.
	@status=0; \
	echo "== tests against SQLite =="; \
	CAREHUB_TEST_DATABASE_URL= $(BIN)/python -m pytest -q || status=1; \
	if [ -n "$$CAREHUB_TEST_DATABASE_URL" ]; then \
		echo "== tests against PostgreSQL =="; \
		$(BIN)/python -m pytest -q || status=1; \
	fi; \
	exit $$status

test-sqlite: install browser ## Run the suite on SQLite only
	CAREHUB_TEST_DATABASE_URL= $(BIN)/python -m pytest -q

test-postgres: install browser ## Run the suite on PostgreSQL (starts a local server as root unless CAREHUB_TEST_DATABASE_URL is set)
	url="$${CAREHUB_TEST_DATABASE_URL:-$$(bash scripts/start-test-postgres)}" && \
		CAREHUB_TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest -q

browser: ## Install Chromium for the browser tests when missing (as root, via apt-get)
	@bash scripts/ensure-chromium

SOLOMON ?= ../shared/benchmarks/solomon
bench: install ## Benchmarks: Solomon VRPTW against PyVRP, a district day and its circles alone, meal rounds, emergency insertion and proposals, city-scale reconciliation, the dispatcher's console, the city's weekday plan, the phone's poll, on one and two workers and three cities at once (results in bench-results/)
	mkdir -p bench-results
	$(BIN)/python bench/solomon.py $(SOLOMON)/*.txt --time-limit 10 --out bench-results/solomon.json
	$(BIN)/python bench/report.py bench-results/solomon.json
	$(BIN)/carehub bench day --visits 1000 --caregivers 60 --seed 1 --runs 6 --references docs/bench-day-references.json | tee bench-results/day.json
	@# The same days' circles alone at a circle's share of the limit: pass 1 without the rest.
	$(BIN)/python bench/circle_parts.py --limit 3.7 --seeds 1 2 3 4 5 6 | tee bench-results/circle-parts.jsonl
	$(BIN)/carehub bench emergency --visits 60 --emergencies 100 --seed 1 | tee bench-results/emergency.json
	$(BIN)/python bench/emergency_proposals.py --emergencies 100 --seed 1 | tee bench-results/emergency-proposals.txt
	$(BIN)/python bench/move_preview.py --moves 100 --seed 1 | tee bench-results/move-preview.txt
	$(BIN)/python bench/phone_poll.py --requests 500 --seed 1 | tee bench-results/phone-poll.txt
	$(BIN)/python bench/pool_start.py --visits 300 --caregivers 24 --time-limit 2 --runs 5 | tee bench-results/pool-start.txt
	$(BIN)/python bench/meal_rounds.py --meals 80 --visits 60 --caregivers 8 --limits 5 50 --seeds 1 2 3 | tee bench-results/meal-rounds.txt
	@# A month's reconciliation at city scale, on its own SQLite file.
	rm -f bench-results/city.sqlite3*
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/carehub init
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/carehub seed city --elders 30000
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/carehub seed visits --month 2026-10 --visits-per-elder 10
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/python bench/reconcile.py --month 2026-10 --runs 3 | tee bench-results/reconcile.txt
	echo bench-auditor-pass | CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/carehub users add benchauditor --role auditor --password-stdin
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/python bench/month_page.py --month 2026-10 --username benchauditor --password bench-auditor-pass | tee bench-results/month-page.txt
	@# The dispatcher's console on the same city: live board, planning result, elder search.
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/python bench/console.py --day 2026-11-23 --runs 30 | tee bench-results/console.txt
	@# Each role's home page and the bureau's dashboard on the same city.
	for role in auditor dispatcher assessor bureau; do echo bench-home-pass | CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/carehub users add bench$$role --role $$role --password-stdin; done
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city.sqlite3 $(BIN)/python bench/home_pages.py --month 2026-10 --password bench-home-pass --runs 3 | tee bench-results/home-pages.txt
	@# The whole city's weekday planned by `carehub plan --time-limit 60`, on its own SQLite
	@# file: wall time and peak memory of the whole process tree, workers included.
	rm -f bench-results/city-day.sqlite3*
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city-day.sqlite3 $(BIN)/carehub init
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city-day.sqlite3 $(BIN)/carehub seed city --elders 30000
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city-day.sqlite3 $(BIN)/carehub requests generate --from 2026-12-07 --to 2026-12-07
	CAREHUB_DATABASE_URL=sqlite:///$(CURDIR)/bench-results/city-day.sqlite3 $(BIN)/python bench/city_day.py --date 2026-12-07 --time-limit 60 --runs 3 --out bench-results/city-day.json
	@# The same day planned on Celery workers (a private redis-server): `carehub plan` in the
	@# same minutes, one solver process, two, and three copies of the city planned at once by
	@# two ("a province night").
	$(MAKE) bench-scale-out CITY_DB=bench-results/city-day.sqlite3

bench-scale-out: install ## The city weekday on one and two solver processes and a province night, about 6 minutes (CITY_DB=a seeded city file, only copied)
	mkdir -p bench-results
	$(BIN)/python bench/scale_out.py --db $(CITY_DB) --date 2026-12-07 --time-limit 60 --cases plan 1x1 1x2 3x2 | tee bench-results/scale-out.jsonl

load: install ## City-morning load test: 1,000 caregivers and 50 dispatchers on gunicorn and a private PostgreSQL (root; results in bench-results/load/)
	bash bench/load/run.sh

lint: install ## ruff (lint + format check), mypy, the import contracts (layers, no cycles) and the shape check
	$(BIN)/ruff check carehub carehub_bench tests seed bench wsgi.py
	$(BIN)/ruff format --check carehub carehub_bench tests seed bench wsgi.py
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_shape.py carehub

fmt: install ## Format and autofix with ruff
	$(BIN)/ruff format carehub carehub_bench tests seed bench wsgi.py
	$(BIN)/ruff check --fix carehub carehub_bench tests seed bench wsgi.py

typecheck: install ## mypy only
	$(BIN)/mypy

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
