# Relay: one entry point for a laptop, CI and Jenkins. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
PY := $(VENV)/bin/python
RELAY := $(VENV)/bin/relay
STAMPS := .tools/stamps
export RELAY_STATE_DIR ?= $(CURDIR)/.relay
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
PYTEST_ARGS ?=

.PHONY: help
help: ## Show this help (coloured on a terminal only, and never with NO_COLOR set).
	@if [[ -t 1 && -z "$${NO_COLOR:-}" ]]; then on=$$'\033[36m' off=$$'\033[0m'; else on= off=; fi; \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n\n"} \
	  /^[a-zA-Z_-]+:.*##/ {printf "  %s%-14s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)

# --- set-up: each step runs again only when what it installs from changes -------------------------
$(STAMPS)/apt: .ci/apt-packages.txt
	@.ci/bootstrap apt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/python: pyproject.toml
	@.ci/bootstrap python
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/%: .ci/requirements-%.txt
	@.ci/bootstrap $*
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: .ci/package.json
	@.ci/bootstrap node
	@mkdir -p $(STAMPS) && touch $@

SETUP_STAMPS := $(STAMPS)/apt $(STAMPS)/python $(patsubst .ci/requirements-%.txt,$(STAMPS)/%,$(wildcard .ci/requirements-*.txt)) $(if $(wildcard .ci/package.json),$(STAMPS)/node)

.PHONY: setup
setup: $(SETUP_STAMPS) ## Install everything (virtualenvs, Debian and npm packages); quick when done.

# --- the two commands -----------------------------------------------------------------------------
.PHONY: test
test: setup ## Run every test (lint included); under CI=true nothing may skip. Ends with the 20 slowest.
	$(PY) -m pytest -n 2 --dist loadgroup --durations=20 $(PYTEST_ARGS)

.PHONY: demo
demo: setup ## The whole pipeline on the embedded AWS, ending with the API live on 127.0.0.1.
	$(PY) -m relay.demo

.PHONY: jenkins-demo
jenkins-demo: setup ## Relay's Jenkins stack on the embedded AWS (both regions), then its rendered JCasC and plugins.
	$(RELAY) emulator start
	eval "$$($(RELAY) emulator env)"; \
	for region in us-east-1 us-west-2; do $(RELAY) jenkins deploy --env demo --region "$$region" --yes; done; \
	$(RELAY) jenkins render --env demo --out-dir reports/jenkins

.PHONY: demo-stop
demo-stop: ## Stop everything `make demo` started.
	-$(PY) -m relay.demo --stop

# --- everyday targets ------------------------------------------------------------------------------
.PHONY: lint
lint: setup ## Static checks: ruff and mypy on the Python code, cfn-lint and checkov on the templates.
	$(VENV)/bin/ruff check app scripts tests bench
	$(VENV)/bin/ruff format --check app scripts tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint
	.tools/checkov/bin/checkov --framework cloudformation --skip-download --quiet --compact -d cloudformation

.PHONY: format
format: setup ## Format the Python code.
	$(VENV)/bin/ruff format app scripts tests bench
	$(VENV)/bin/ruff check --fix app scripts tests bench

.PHONY: bench
bench: setup ## Run the benchmarks (API, drift, DR); each prints JSON with its baseline from the same run.
	mkdir -p reports/bench
	$(PY) bench/api_bench.py | tee reports/bench/api.json
	$(PY) bench/drift_bench.py | tee reports/bench/drift.json
	$(PY) bench/dr_bench.py | tee reports/bench/dr.json

.PHONY: docs
docs: setup ## Redraw docs/img: the running system from the templates; report screenshots after `make demo`.
	$(PY) -m relay.reports.architecture docs/img
	@if [[ ! -f reports/demo/index.html ]]; then echo "docs: no reports/demo: run make demo for the screenshots" >&2; exit 0; fi; \
	sandbox=$$([[ $$(id -u) == 0 ]] && echo --no-sandbox || true); \
	for shot in demo:reports/demo/index.html dr-plan:reports/demo/dr/plan-*.html \
	    dr-drill:reports/demo/dr/drill-*.html drift:reports/demo/drift/changed/drift-*.html; do \
	  name=$${shot%%:*}; page=$$(ls -t $${shot#*:} | head -1); \
	  chromium --headless --disable-gpu --hide-scrollbars $$sandbox --window-size=1200,1500 \
	    --screenshot=docs/img/$$name.png "file://$(CURDIR)/$$page" 2>/dev/null; \
	  pngquant --force --strip --quality=60-90 --output docs/img/$$name.png docs/img/$$name.png; \
	  echo "docs/img/$$name.png from $$page"; \
	done

.PHONY: emulator
emulator: setup ## Start the embedded AWS and print its endpoint.
	$(RELAY) emulator start

.PHONY: clean
clean: demo-stop ## Remove build output and local state (keeps the virtualenvs).
	rm -rf .relay reports build dist .pytest_cache .mypy_cache .ruff_cache

.PHONY: distclean
distclean: clean ## Remove the virtualenvs and tools too.
	rm -rf $(VENV) .tools
