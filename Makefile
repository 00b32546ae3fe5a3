# Kasko Ops: `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA := data
EXPORTS := $(DATA)/exports
DB := $(DATA)/kasko.duckdb
PORT ?= 8501

.PHONY: run test bench lint demo-data browser servers clean replicas replicas-stop
REPLICAS ?= 2
PROXY_PORT ?= 8080
REPLICA_PORT ?= 8501
PG_PORT ?= 5433

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Demo data when there is none, then the load (a no-op for files already loaded).
demo-data: $(STAMP)
	@test -d $(EXPORTS) || $(BIN)/kasko generate $(EXPORTS)
	$(BIN)/kasko load $(EXPORTS) --db $(DB)
	$(BIN)/kasko users demo-accounts --db $(DB)

run: demo-data
	$(BIN)/kasko serve --db $(DB) --port $(PORT)

# The end-to-end browser test needs Chromium (and an emoji font for the SLA badges in its
# screenshots): installed from Debian's packages when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
	  else echo "WARNING: no chromium found and cannot install it: the browser test will fail"; fi; }

# The replica tests start their own PostgreSQL cluster and nginx: Debian's packages, used
# as plain programs (no system service needed).
servers:
	@{ ls /usr/lib/postgresql/*/bin/pg_ctl && test -x /usr/sbin/nginx; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's postgresql and nginx for the replica tests"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nginx >/dev/null; \
	  else echo "WARNING: no postgresql or nginx found and cannot install them: the replica tests will fail"; fi; }

test: $(STAMP) browser servers
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

bench: $(STAMP)
	$(BIN)/python -m bench.run

lint: $(STAMP)
	$(BIN)/ruff check pipelines dashboard tests bench deploy

clean:
	rm -rf $(VENV) $(DATA)

# A local PostgreSQL cluster under data/replicas (port $(PG_PORT)), $(REPLICAS) `kasko serve`
# replicas on ports $(REPLICA_PORT).. and nginx on $(PROXY_PORT) in front
# (docs/deployment.md); replicas-stop stops them all.
replicas: demo-data servers
	$(BIN)/python -m deploy.replicas start --replicas $(REPLICAS) --port $(PROXY_PORT) \
	  --first-port $(REPLICA_PORT) --pg-port $(PG_PORT) --db $(DB) --dir $(DATA)/replicas \
	  --demo-accounts

replicas-stop: $(STAMP)
	$(BIN)/python -m deploy.replicas stop --dir $(DATA)/replicas

# Concurrent dashboard sessions over websockets while a daily load runs (docs/reliability.md):
# 48 users through nginx on two replicas on PostgreSQL, page p95 at most 2 s;
# LOADTEST_REPLICAS=1 serves them from one process on SQLite, and LOADTEST_SCALE=bench
# from the fleet-size set (docs/performance.md).
.PHONY: loadtest
LOADTEST_REPLICAS ?= 2
LOADTEST_SCALE ?= demo
LOADTEST_ARGS ?=
loadtest: $(STAMP) servers
	$(BIN)/python -m bench.loadtest --replicas $(LOADTEST_REPLICAS) --scale $(LOADTEST_SCALE) \
	  $(LOADTEST_ARGS)
