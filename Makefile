# vanban — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
UV_VERSION := 0.9.30

PROXY_PORT ?= 8080
# Printed in the QR code of issued documents: follows the port the demo is served on.
export VANBAN_PUBLIC_URL ?= http://$(HOST):$(PORT)
# The demo keeps its leaders' keys on the server so it signs without a USB token; every page
# that uses them says so. Production leaves this unset (off): leaders sign with their token.
export VANBAN_SERVER_PERSONAL_KEYS ?= 1
# Python's compiled modules are kept (in __pycache__, git-ignored) even where the environment asks
# not to write them (PYTHONDONTWRITEBYTECODE, set on this machine kind): without them every Python
# process compiles Django and vanban again — `django.setup()` 2.6 s instead of 1.2 s — and the test
# suite starts hundreds of processes (docs/architecture.md, "What a start-up imports").
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run serve-proxy interop install venv eark-venv migrate demo test test-sqlite test-pg e2e coverage lint typecheck fmt lock bench bench-data bench-pages fuzz faults apifuzz load clean cluster cluster-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

# Installs exactly what requirements.lock pins, then vanban itself (editable).
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

install: $(VENV)/.installed

# The official E-ARK validator (eark-validator 1.1.3) for the archive tests, in its own venv
# because it pins its own lxml and pydantic; exactly what requirements-eark.lock pins (hashes).
EARK_VENV := .venv-eark
$(EARK_VENV)/.installed: requirements-eark.lock
	rm -rf $(EARK_VENV)
	$(PYTHON) -m venv $(EARK_VENV)
	$(EARK_VENV)/bin/pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements-eark.lock
	@touch $@

eark-venv: $(EARK_VENV)/.installed

migrate: install
	$(BIN)/vanban migrate --no-input -v0

demo: migrate
	$(BIN)/vanban demo load --hub-url http://$(HOST):$(PORT)/hub/api/v1

# Serves the demo province on http://$(HOST):$(PORT) with a job worker beside it.
run: demo
	@echo ""
	@$(BIN)/vanban text ocr-check 2>&1 | sed 's/^/  /' || true
	@echo "  vanban đang chạy tại http://$(HOST):$(PORT)/  (Ctrl+C để dừng)"
	@echo ""
	@$(BIN)/vanban worker & worker=$$!; \
	  $(BIN)/vanban serve --bind $(HOST):$(PORT) --graceful-timeout 5 & server=$$!; \
	  trap 'trap - INT TERM; kill $$worker $$server 2>/dev/null; wait; echo "  Đã dừng vanban."; exit 0' INT TERM; \
	  wait $$server; kill $$worker 2>/dev/null; wait

# The demo behind nginx (Debian's nginx-light), as it should face a network: nginx on
# $(HOST):$(PROXY_PORT) buffers and times out slow clients, `vanban serve` answers on $(PORT).
serve-proxy: demo
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "Cần nginx: apt-get install nginx-light"; exit 1; }
	$(BIN)/vanban proxy var/nginx --listen $(HOST):$(PROXY_PORT) --upstream 127.0.0.1:$(PORT)
	@echo ""
	@echo "  vanban (sau nginx) đang chạy tại http://$(HOST):$(PROXY_PORT)/  (Ctrl+C để dừng)"
	@echo ""
	@PATH="$$PATH:/usr/sbin"; export VANBAN_PUBLIC_URL=http://$(HOST):$(PROXY_PORT); \
	  $(BIN)/vanban worker & worker=$$!; \
	  VANBAN_TRUSTED_PROXIES=127.0.0.1 $(BIN)/vanban serve --bind 127.0.0.1:$(PORT) --graceful-timeout 5 & server=$$!; \
	  nginx -p var/nginx -c var/nginx/nginx.conf -e var/nginx/error.log -g 'daemon off;' & proxy=$$!; \
	  trap 'trap - INT TERM; kill $$worker $$server $$proxy 2>/dev/null; wait; echo "  Đã dừng vanban."; exit 0' INT TERM; \
	  wait $$proxy; kill $$worker $$server 2>/dev/null; wait

# The whole suite on SQLite, then on PostgreSQL when one is reachable.
test: install eark-venv
	@bash scripts/test.sh

test-sqlite: install eark-venv
	@bash scripts/test.sh sqlite

test-pg: install eark-venv
	@bash scripts/test.sh pg

# The SQLite suite with branch coverage of src/vanban: a summary (least covered first, files at
# 100 % left out) and htmlcov/index.html. Not part of `make test` or CI (it is slower).
coverage: install eark-venv
	@VANBAN_TEST_COVERAGE=1 VANBAN_COVERAGE_PATCH=subprocess bash scripts/test.sh sqlite $(ARGS); status=$$?; \
	  $(BIN)/coverage report --skip-covered --sort=cover; $(BIN)/coverage html -q; \
	  echo "  htmlcov/index.html"; exit $$status

e2e: install
	$(BIN)/pytest -m e2e

lint: install
	$(BIN)/ruff check src tests $(wildcard bench fuzz)
	$(BIN)/lint-imports --no-cache
	@$(MAKE) --no-print-directory typecheck

# mypy with django-stubs, strict, over all of vanban ([tool.mypy] in pyproject.toml;
# docs/architecture.md, "Checked types").
typecheck: install
	$(BIN)/mypy -p vanban

fmt: install
	$(BIN)/ruff check --fix src tests $(wildcard bench fuzz)

# Re-pin dependencies after editing pyproject.toml.
lock: $(BIN)/uv
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# Every benchmark, beside the machine's own limits; writes bench/RESULTS.md.
bench: install
	$(BIN)/python bench/run_all.py

# One agency with $(BENCH_DOCUMENTS) documents for the pages benchmark, in a PostgreSQL database of
# its own (dropped and made again: never a developer's data), then `make bench-pages` measures it.
BENCH_DOCUMENTS ?= 100000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= vanban_bench_pages
bench-data: install
	$(BIN)/python -c "import psycopg, sys; c = psycopg.connect(sys.argv[1].replace('postgres://', 'postgresql://', 1) + '/postgres', autocommit=True); c.execute('DROP DATABASE IF EXISTS \"$(BENCH_DB)\" WITH (FORCE)'); c.execute('CREATE DATABASE \"$(BENCH_DB)\"')" $(BENCH_PG)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) VANBAN_DATA_DIR=var/bench-pages $(BIN)/vanban migrate --no-input -v0
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) VANBAN_DATA_DIR=var/bench-pages $(BIN)/vanban bench_data --documents $(BENCH_DOCUMENTS)

bench-pages: install
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) VANBAN_DATA_DIR=var/bench-pages $(BIN)/python bench/pages_bench.py --reuse

# Conformance with VNPT's public Java libraries on loopback (jars and a JDK from outside;
# each part says SKIP without them): docs/vxp.md, "Running the real SDK against vanban".
interop: install
	@bash interop/run.sh

# The demo province on 2 web nodes behind nginx and 3 workers, each with its own data directory,
# sharing PostgreSQL, Redis and S3 (moto's server unless VANBAN_BLOB_URL is set): docs/deployment.md.
cluster: install
	@bash scripts/cluster.sh

# The many-nodes test at full size: 1 000 documents A → hub → B through that layout, a worker
# SIGKILLed and a web node stopped on the way (make test runs it with 100).
cluster-test: install
	VANBAN_TEST_WORKERS=0 VANBAN_CLUSTER_PACKAGES=$${N:-1000} bash scripts/test.sh pg tests/faults/test_cluster.py -q -s

# The full-size fault runs (CI runs a bounded version inside make test). In one process: a test's
# summary (rate, status latency, timeline) is printed past pytest's capture, which xdist's workers drop.
faults: install
	VANBAN_TEST_WORKERS=0 VANBAN_FAULT_PACKAGES=$${N:-10000} VANBAN_FAULT_KILLS=$${KILLS:-40} bash scripts/test.sh pg tests/faults -q

apifuzz: install
	VANBAN_APIFUZZ_EXAMPLES=$${N:-500} bash scripts/test.sh all tests/apifuzz -q

load: install
	$(BIN)/python bench/load.py $(ARGS)

fuzz: install
	@for f in $(wildcard fuzz/*_fuzz.py); do echo "== $$f"; $(BIN)/python $$f --seconds $${FUZZ_SECONDS:-30} || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .mypy_cache .coverage htmlcov
