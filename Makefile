# bedrock-stream developer commands. Every target installs what it needs first (pinned files only).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
# npx-style: the pinned Node 22 and CDK CLI from node_modules come first, then the venv.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

PORT ?= 3000
WEB_PORT ?= 3001
DEV_FLAGS ?=

.PHONY: help install dev lock test lint typecheck pytest synth deploy destroy bench bench-quick chat clean web browser-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

PIP_INSTALL = $(BIN)/python -m pip install --quiet --disable-pip-version-check --progress-bar off --no-deps --require-hashes
# Re-lock after editing requirements.in or requirements-dev.in: `make lock` (add LOCK_FLAGS=--upgrade to move every pin).
LOCK_FLAGS ?=
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command 'make lock' $(LOCK_FLAGS)

$(BIN)/python:
	@echo "==> creating $(VENV)/ with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV)

# The runtime set (requirements.txt): only what the function and the emulator import. All that `make dev` needs.
$(STAMPS)/runtime: requirements.txt | $(BIN)/python
	@echo "==> installing the runtime set into $(VENV)/ (requirements.txt: boto3, botocore, Powertools; hashes checked)"
	@$(PIP_INSTALL) -r requirements.txt
	@mkdir -p $(STAMPS) && touch $@

# The full toolchain (requirements-dev.txt, a superset of the runtime set): tests, linters, clients, CDK app.
$(STAMPS)/dev: requirements-dev.txt | $(BIN)/python
	@echo "==> installing the full Python toolchain into $(VENV)/ (requirements-dev.txt; hashes checked)"
	@$(PIP_INSTALL) -r requirements-dev.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json package-lock.json
	@echo "==> installing the pinned CDK CLI, Node 22 and the Node runtime client into node_modules/ (npm ci)"
	@npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

# The chat page (web/): its own pinned npm project, installed once (stamp), built by esbuild into web/dist/.
$(STAMPS)/web: web/package.json web/package-lock.json
	@echo "==> installing the chat page's pinned packages into web/node_modules/ (npm ci in web/, once)"
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

web/dist/index.html: $(STAMPS)/web web/build.mjs web/index.html $(wildcard web/src/*)
	@echo "==> building the chat page into web/dist/ (esbuild)"
	@cd web && node build.mjs

web: web/dist/index.html ## Build the chat page into web/dist/ (npm ci in web/ once, then esbuild)

browser-deps: ## The system Chromium the browser tests drive (apt-get install chromium if missing and root)
	@bin/browser-deps

install: $(STAMPS)/dev $(STAMPS)/node ## Install everything: the Python toolchain (.venv) and Node packages (node_modules)

dev: $(STAMPS)/runtime web/dist/index.html ## Serve the local Function URL on http://127.0.0.1:3000 (PORT=...) with the stub model, and the chat page on :3001 (WEB_PORT=...)
	@echo "==> serving the local Function URL on http://127.0.0.1:$(PORT) (stub Bedrock model) and the chat page on http://127.0.0.1:$(WEB_PORT) (Ctrl-C stops)"
	$(BIN)/python -m emulator --port $(PORT) --web-port $(WEB_PORT) --cors-origin http://127.0.0.1:$(WEB_PORT) $(DEV_FLAGS)

lock: $(STAMPS)/dev ## Re-lock requirements.txt and requirements-dev.txt (pins + hashes) from the *.in files
	$(UV_COMPILE) requirements.in -o requirements.txt
	$(UV_COMPILE) requirements-dev.in -c requirements.txt -o requirements-dev.txt

test: lint typecheck pytest synth ## Lint, type-check and run the whole test suite

lint: $(STAMPS)/dev ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMPS)/dev ## mypy --strict on the product code
	$(BIN)/mypy functions/streaming_runtime functions/bedrock_stream emulator client infra $(wildcard app.py)

# pytest-xdist: one worker per core; a module stays on one worker, so module fixtures (synth, servers) run once.
PYTEST_WORKERS ?= auto
pytest: install web browser-deps ## All test tiers but e2e (opt-in), on every core (PYTEST_WORKERS=0: in one process)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope

CDK_FLAGS ?=

synth: install ## cdk synth offline (cdk-nag AwsSolutions gate), then cfn-lint the template
	npx cdk synth --quiet $(CDK_FLAGS)
	$(BIN)/cfn-lint cdk.out/*.template.json

deploy: install ## cdk deploy (needs AWS credentials); pass context with CDK_FLAGS="-c key=value"
	npx cdk deploy $(CDK_FLAGS)

destroy: install ## cdk destroy (removes the function, URL, role, alarms and log group)
	npx cdk destroy $(CDK_FLAGS)

clean: ## Remove build outputs (keeps the installs)
	rm -rf cdk.out .mypy_cache .ruff_cache .pytest_cache web/dist test-artifacts

.PHONY: schemas
schemas: $(STAMPS)/dev ## Regenerate the compiled request validators from functions/bedrock_stream/schemas/*.json
	$(BIN)/python functions/bedrock_stream/schemas/generate.py

CHAT_FLAGS ?=
CHAT_HOST ?= 127.0.0.1
CHAT_PORT ?= 8501
chat: install ## Streamlit chat app on http://$(CHAT_HOST):$(CHAT_PORT) (loopback only) for BEDROCK_STREAM_URL (default make dev)
	PYTHONPATH=$(CURDIR) $(BIN)/streamlit run client/streamlit_app.py --server.headless true \
		--server.address $(CHAT_HOST) --server.port $(CHAT_PORT) --browser.gatherUsageStats false $(CHAT_FLAGS)

# BENCH_QUICK=1: a shortened run of every part into a temp dir (harness check); BENCH_FLAGS="--part share": one part.
BENCH_QUICK ?=
BENCH_FLAGS ?=
bench: $(STAMPS)/dev ## Benchmarks (~10 min; root for the CPU-share part): bench/results/ JSON, cost.md, PNG charts
	PYTHONPATH=$(CURDIR):$(CURDIR)/functions $(BIN)/python -m bench $(if $(BENCH_QUICK),--quick) $(BENCH_FLAGS)

bench-quick: $(STAMPS)/dev ## Smoke run of the paths benchmark (<1 min, results to a temp dir, asserts no speed)
	PYTHONPATH=$(CURDIR):$(CURDIR)/functions $(BIN)/python -m bench --quick --no-charts --part paths
