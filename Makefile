# 联建网格看板 — the two set-up commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell md5sum requirements.txt | cut -c1-12)
PORT ?= 8501

.PHONY: run test lint system-deps demo bench bench-load clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

## make run: create .venv, install, serve the dashboard on http://localhost:8501
run: $(STAMP)
	$(VENV)/bin/streamlit run dashboard.py --server.port $(PORT)

## make test: create .venv, install (and chromium + CJK fonts when root), lint, run every test
test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

## make lint: ruff with the settings of pyproject.toml (line length 100)
lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Debian's chromium (browser tests), fonts-noto-cjk (Chinese text in
# screenshots and static maps), PostgreSQL 15 + PostGIS 3 and nginx (the shared
# store and the two-process deployment, started and stopped by the tests).
# Installed when we are root; otherwise the exact command is printed and the
# target fails.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	test -x /usr/lib/postgresql/15/bin/initdb || missing="$$missing postgresql"; \
	test -f /usr/share/postgresql/15/extension/postgis.control || missing="$$missing postgresql-15-postgis-3"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "缺少系统软件包:$$missing —— 请运行: sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

## make demo: rebuild data/demo/sanming.gpkg from its seed
demo: $(STAMP)
	$(PY) -m data.build_demo

## make bench: print the benchmark tables (installs spopt & co. from requirements-bench.txt)
bench: $(STAMP)
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) -m benchmarks.bench_kpis
	$(PY) -m benchmarks.bench_cli
	$(PY) -m benchmarks.bench_suggest
	$(PY) -m benchmarks.bench_walk
	$(PY) -m benchmarks.bench_site_suggest
	$(PY) -m benchmarks.bench_years
	$(PY) -m benchmarks.bench_playback
	$(PY) -m benchmarks.bench_pptx
	$(PY) -m benchmarks.bench_store
	$(PY) -m benchmarks.bench_maps --runs 5
	$(PY) -m benchmarks.bench_all_pages --runs 3

## make bench-load: 30 browser sessions against one server for 30 minutes (not in make bench)
bench-load: $(STAMP)
	$(PY) -m benchmarks.bench_load --minutes 30 --sessions 30 --json test-artifacts/bench_load.json

clean:
	rm -rf $(VENV) test-artifacts
