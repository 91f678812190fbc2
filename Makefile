# Two commands on a fresh machine with Python 3.11+ and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test test-pg test-documents test-worker test-backup test-scaleout test-browser lint typecheck bench install serve serve-prod clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e ".[dev,rq]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/jixiao migrate --noinput -v0
	$(BIN)/jixiao collectstatic --noinput -v0
	$(BIN)/jixiao demo load --scale district --seed 2021
	@echo ""
	@echo "演示账号（所有账号密码相同）："
	@$(BIN)/jixiao demo users
	@echo ""
	@echo "请在浏览器打开 http://$(HOST):$(PORT)/ （按 Ctrl+C 停止）"
	@# The background worker runs reports and imports queued through django-tasks.
	$(BIN)/jixiao db_worker --no-reload -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/jixiao runserver $(HOST):$(PORT) --noreload

serve: install
	$(BIN)/jixiao runserver $(HOST):$(PORT)

# The production way, locally: gunicorn (jixiao/gunicorn_conf.py: workers from cores, timeouts,
# access log) with WhiteNoise static files, and the background worker as its own process
# (stopped with SIGTERM when gunicorn stops). docs/deploy.md has the systemd units and the proxy.
serve-prod: install
	$(BIN)/jixiao migrate --noinput -v0
	$(BIN)/jixiao collectstatic --noinput -v0
	$(BIN)/jixiao db_worker --no-reload -v1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	JIXIAO_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c python:jixiao.gunicorn_conf jixiao.wsgi

# SQLite, no service needed. Prints the rules engine's branch coverage (must be 100%).
test: install
	$(PY) -m pytest -m "not browser and not documents and not worker and not backup and not scaleout" -q --cov=jixiao --cov-branch --cov-report= $(PYTEST_ARGS)
	$(PY) -m coverage report --include="jixiao/rules/*" --omit="jixiao/rules/tests/*" --show-missing --skip-covered --fail-under=100

# The same suite on PostgreSQL (CI): JIXIAO_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test
test-pg: install
	JIXIAO_DATABASE_URL=$${JIXIAO_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PY) -m pytest -m "not browser and not documents and not worker and not backup and not scaleout" -q $(PYTEST_ARGS)

# The background worker's own process: crash, time limit, SIGTERM, recovery (needs PostgreSQL;
# its own CI step; `make test` and `make test-pg` deselect them).
test-worker: install
	JIXIAO_DATABASE_URL=$${JIXIAO_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PY) -m pytest -m worker -q $(PYTEST_ARGS)

# The backup drill (demo → jixiao backup → jixiao restore into a fresh database → compare → audit verify).
test-backup: install
	$(PY) -m pytest -m backup -q $(PYTEST_ARGS)

# Scale-out drills: two gunicorn servers, RQ workers on a private Redis (redis-server), one PostgreSQL:
# sessions/locks/security log across servers, a worker killed mid-import, Redis restarted, database
# connections cut under load (`make test` and `make test-pg` deselect them).
test-scaleout: install
	JIXIAO_DATABASE_URL=$${JIXIAO_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/scaleout} $(PY) -m pytest -m scaleout -q $(PYTEST_ARGS)

# Playwright driving Debian's chromium (apt-get install chromium).
test-browser: install
	$(PY) -m pytest -m browser -q $(PYTEST_ARGS)

# Files through LibreOffice and poppler: .xls and re-saved workbooks import, every .docx converts to
# PDF with A4 pages and embedded fonts (needs libreoffice-writer-nogui, libreoffice-calc-nogui, poppler-utils)
test-documents: install
	$(PY) -m pytest -m documents -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check jixiao/rules

typecheck: install
	$(BIN)/mypy jixiao

bench: install
	$(PY) bench/bench_rules.py

clean:
	rm -rf var .coverage
