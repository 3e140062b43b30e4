"""End to end with the real embedder and a real Chroma index (local and server)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.answer.base import unsupported_sentences
from rag.index.lexical import searchable_text
from rag.embed.minilm import MAX_TOKENS, MiniLMEmbedding
from rag.pipeline import Pipeline
from rag.prompts import ABSTAIN
from rag.settings import Settings
from tests.samples import ROOT, SEED_CORPUS

pytestmark = pytest.mark.integration
RAG = [sys.executable, "-m", "rag.app.cli"]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedding:
    return MiniLMEmbedding()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, embedder) -> Pipeline:
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), _env_file=None)
    pipeline = Pipeline(settings, embed_model=embedder)
    pipeline.ingest(SEED_CORPUS)
    return pipeline


@pytest.mark.parametrize("question, doc_id, phrase", [
    ("When did Wagner deploy to Mali?", "000_ce31d8d4dec75cd6.txt", "December 2021"),
    ("Who was sanctioned by the US Treasury?", "002_9009ab8afc2139b9.txt", "Sadio Camara"),
    ("Which force remained after Wagner left?", None, "Africa Corps"),
])
def test_issue_questions_cite_the_right_sentence(seeded: Pipeline, question, doc_id, phrase) -> None:
    answer = seeded.ask(question)
    assert not answer.abstained
    cited = [c for c in answer.citations if any(phrase in c.text[s:e] for s, e in c.highlights)]
    assert cited, answer.answer
    if doc_id:
        assert cited[0].doc_id == doc_id
    assert unsupported_sentences(answer) == []


def test_the_answer_leads_with_the_best_sentence(seeded: Pipeline) -> None:
    first = seeded.ask("When did Wagner deploy to Mali?").answer.split(" [1]")[0]
    assert "December 2021" in first


def test_out_of_corpus_question_abstains(seeded: Pipeline) -> None:
    answer = seeded.ask("Who won the 2022 World Cup?")
    assert answer.abstained and answer.answer == ABSTAIN and not answer.citations


def test_follow_up_uses_history(seeded: Pipeline) -> None:
    answer = seeded.ask("Who backs it?", history=["Which Russian force stayed after Wagner left?"])
    assert "africa corps" in answer.answer.lower()
    assert any(word in answer.answer for word in ("Kremlin", "Russian Defence Ministry", "Russian-backed"))


def test_chunks_fit_the_embedder_window(seeded: Pipeline, embedder: MiniLMEmbedding) -> None:
    _, texts, metas = seeded.store.chunks()
    assert max(embedder.token_count(searchable_text(m["title"], t)) for t, m in zip(texts, metas)) <= MAX_TOKENS


def run_rag(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*RAG, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=600)


def test_cli_ingest_search_ask(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEED_CORPUS.glob("*.txt"):
        (corpus / path.name).write_text(path.read_text())
    (corpus / "broken.txt").write_bytes(b"\x00\x01")
    index = str(tmp_path / "index")
    ingest = run_rag("ingest", str(corpus), "--index", index)
    assert ingest.returncode == 0, ingest.stderr
    assert "5 added" in ingest.stdout and "skipped broken.txt: binary file" in ingest.stderr

    search = run_rag("search", "Sadio Camara sanctions", "--k", "3", "--json", "--index", index)
    rows = json.loads(search.stdout)
    assert len(rows) == 3 and rows[0]["doc_id"] == "002_9009ab8afc2139b9.txt"
    assert {"doc_id", "title", "score", "start", "end", "text"} <= rows[0].keys()

    ask = run_rag("ask", "When did Wagner deploy to Mali?", "--json", "--index", index)
    answer = json.loads(ask.stdout)
    assert {"answer", "abstained", "citations", "latency_ms"} <= answer.keys()
    assert "December 2021" in answer["answer"] and not answer["abstained"]
    assert {"n", "doc_id", "title", "text", "start", "end"} <= answer["citations"][0].keys()

    # The index folder is settable by environment too.
    text = run_rag("ask", "Who won the 2022 World Cup?", env={"RAG_INDEX_DIR": index})
    assert text.stdout.startswith(ABSTAIN)


def test_chroma_server_backend(tmp_path: Path, chroma_server: str) -> None:
    env = {"RAG_CHROMA_URL": chroma_server}
    index = str(tmp_path / "local")
    assert run_rag("ingest", str(SEED_CORPUS), "--index", index, env=env).returncode == 0
    answer = json.loads(run_rag("ask", "Who was sanctioned by the US Treasury?", "--json",
                                "--index", index, env=env).stdout)
    assert "Sadio Camara" in answer["answer"]
    # The vectors live in the server, not in the local index folder.
    assert not (tmp_path / "local" / "chroma").exists()
    again = run_rag("ingest", str(SEED_CORPUS), "--index", index, env=env)
    assert "5 unchanged" in again.stdout


def test_killed_ingest_recovers(tmp_path: Path, embedder: MiniLMEmbedding) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(120):
        body = " ".join(f"Report {i} describes event {j} in town {i * 7 + j} with several details."
                        for j in range(25))
        (corpus / f"doc{i:03d}.txt").write_text(f"Story {i}\n{body}")
    index = tmp_path / "index"
    for delay in (5.0, 9.0):
        process = subprocess.Popen([*RAG, "ingest", str(corpus), "--index", str(index)], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()

    settings = Settings(index_dir=index, _env_file=None)
    pipeline = Pipeline(settings, embed_model=embedder)
    report = pipeline.ingest(corpus)
    documents = pipeline.documents()
    assert [d.doc_id for d in documents] == sorted(p.name for p in corpus.iterdir())
    assert all(d.complete for d in documents)
    ids, _, _ = pipeline.store.chunks()
    assert len(ids) == len(set(ids)) == sum(d.expected_chunks for d in documents)
    assert report.total_chunks == len(ids)
    assert pipeline.search("Report 77 describes event 3", k=1)[0].node.metadata["doc_id"] == "doc077.txt"
    final = pipeline.ingest(corpus)
    assert final.chunks_embedded == 0 and final.unchanged == 120
