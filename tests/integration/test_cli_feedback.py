"""The command line's new parts: `rag ask --format markdown|json`, `rag feedback list`
and `rag feedback export`, the exported cases run by `rag eval`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.app.feedback import FeedbackStore, feedback_path
from rag.pipeline import Pipeline
from rag.app.records import answer_record
from rag.settings import Settings
from tests.samples import ROOT, SEED_CORPUS

pytestmark = pytest.mark.integration
WAGNER = "When did Wagner deploy to Mali?"


def rag(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return subprocess.run([sys.executable, "-m", "rag.app.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600, check=False)


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli-feedback") / "index"
    done = rag("ingest", str(SEED_CORPUS), "--index", str(folder))
    assert done.returncode == 0, done.stderr
    return folder


def test_ask_as_markdown(index):
    done = rag("ask", WAGNER, "--format", "markdown", "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"## {WAGNER}\n\n")
    assert "December 2021" in done.stdout and "### References\n\n1. **" in done.stdout
    assert "   file: 00" in done.stdout and "   > " in done.stdout


def test_ask_as_json_has_numbered_references(index):
    done = rag("ask", WAGNER, "--format", "json", "--index", str(index))
    data = json.loads(done.stdout)
    assert "December 2021" in data["answer"] and data["sentences"] == []
    first = data["references"][0]
    assert first["n"] == 1 and first["document"].endswith(".txt") and first["quoted"]
    assert {"title", "source", "date", "url", "page", "passage"} <= first.keys()


def test_json_and_format_together_are_refused(index):
    done = rag("ask", WAGNER, "--json", "--format", "markdown", "--index", str(index))
    assert done.returncode == 2 and done.stderr == "rag: give --json or --format, not both\n"


def test_feedback_list_and_export_into_rag_eval(index, tmp_path):
    settings = Settings(index_dir=index, _env_file=None)
    pipeline = Pipeline(settings, create=False)
    store = FeedbackStore(feedback_path(settings))
    good = pipeline.ask(WAGNER)
    store.rate(answer_record(good, [], pipeline.filters(), "extractive", pipeline.store), "up")
    wrong = pipeline.ask("Who won the 2022 World Cup?")
    store.rate(answer_record(wrong, [], pipeline.filters(), "extractive", pipeline.store),
               "down", not_in_corpus=True)
    vague = pipeline.ask("What did Lavrov promise Mali?")
    store.rate(answer_record(vague, [], pipeline.filters(), "extractive", pipeline.store), "down")
    del pipeline

    listed = rag("feedback", "list", "--index", str(index))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert WAGNER in lines[0] and "👍" in lines[0] and lines[1].strip().startswith("sources: 00")
    assert "not in the corpus" in listed.stdout
    assert len(json.loads(rag("feedback", "list", "--json", "--index", str(index)).stdout)) == 3

    target = tmp_path / "evals" / "from-chat.jsonl"
    exported = rag("feedback", "export", "--to", str(target), "--index", str(index))
    assert exported.returncode == 0, exported.stderr
    assert "added 2 case(s), kept 0; skipped 1 👎 without an expected answer" in exported.stdout
    again = rag("feedback", "export", "--to", str(target), "--index", str(index))
    assert "added 0 case(s), kept 2" in again.stdout

    ran = rag("eval", str(target), "--index", str(index), "--json", str(tmp_path / "r.json"))
    assert ran.returncode == 0, ran.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["pass_rate"] == 1.0 and len(result["results"]) == 2


def test_no_feedback_yet(tmp_path):
    done = rag("feedback", "list", "--index", str(tmp_path / "index"))
    assert done.returncode == 0 and done.stdout.startswith("No feedback yet")
