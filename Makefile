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
DEV_FLAGS ?=

.PHONY: help install dev test lint typecheck pytest synth deploy destroy bench bench-quick chat clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMPS)/venv: requirements.txt requirements-dev.txt
	@mkdir -p $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(STAMPS)/venv $(STAMPS)/node ## Install Python (.venv) and Node (node_modules) dependencies

dev: install ## Run the local Function URL on http://127.0.0.1:$(PORT) with the stub Bedrock model
	$(BIN)/python -m emulator --port $(PORT) $(DEV_FLAGS)

test: install lint typecheck pytest synth ## Lint, type-check and run the whole test suite

lint: install ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install ## mypy --strict on the product code
	$(BIN)/mypy functions/streaming_runtime functions/bedrock_stream emulator client infra $(wildcard app.py)

pytest: install ## All test tiers but e2e (opt-in)
	$(BIN)/pytest

CDK_FLAGS ?=

synth: install ## cdk synth offline (cdk-nag AwsSolutions gate), then cfn-lint the template
	npx cdk synth --quiet $(CDK_FLAGS)
	$(BIN)/cfn-lint cdk.out/*.template.json

deploy: install ## cdk deploy (needs AWS credentials); pass context with CDK_FLAGS="-c key=value"
	npx cdk deploy $(CDK_FLAGS)

destroy: install ## cdk destroy (removes the function, URL, role, alarms and log group)
	npx cdk destroy $(CDK_FLAGS)

clean: ## Remove build outputs (keeps the installs)
	rm -rf cdk.out .mypy_cache .ruff_cache .pytest_cache

.PHONY: schemas
schemas: install ## Regenerate the compiled request validators from functions/bedrock_stream/schemas/*.json
	$(BIN)/python functions/bedrock_stream/schemas/generate.py

CHAT_FLAGS ?=
CHAT_HOST ?= 127.0.0.1
CHAT_PORT ?= 8501
chat: install ## Streamlit chat app on http://$(CHAT_HOST):$(CHAT_PORT) (loopback only) for BEDROCK_STREAM_URL (default make dev)
	PYTHONPATH=$(CURDIR) $(BIN)/streamlit run client/streamlit_app.py --server.headless true \
		--server.address $(CHAT_HOST) --server.port $(CHAT_PORT) --browser.gatherUsageStats false $(CHAT_FLAGS)

bench: install ## Benchmarks (~1 min): writes bench/results/latest.json + PNG charts, prints the table
	PYTHONPATH=$(CURDIR):$(CURDIR)/functions $(BIN)/python -m bench

bench-quick: install ## Smoke run of the benchmark harness (<1 min, results to a temp dir, asserts no speed)
	PYTHONPATH=$(CURDIR):$(CURDIR)/functions $(BIN)/python -m bench --quick --no-charts
