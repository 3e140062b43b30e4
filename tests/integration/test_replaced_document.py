"""A document replaced under a running pipeline (issue 8, case 1): same number of chunks,
new chunk ids. BM25 must follow the collection, in this process and across processes
sharing a Chroma server, and retrieval must never look up an id it does not have."""

import json
import os
import subprocess
import sys

import pytest

from rag.embed.minilm import MiniLMEmbedding
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.samples import ROOT

OLD = "Harbour news\nThe harbour of Zorblat reopened on Monday after the long storm.\n"
NEW = "Harbour news\nThe harbour of Zorblat closed on Friday because of a dockers' strike.\n"
QUESTION = "What happened to the harbour of Zorblat?"


def chunk_ids(pipeline: Pipeline, doc_id: str) -> set[str]:
    ids, _, metas = pipeline.store.chunks()
    return {i for i, m in zip(ids, metas) if m["doc_id"] == doc_id}


def test_replaced_document_is_answered_from_its_new_text(settings, fake_embedder, seed_corpus) -> None:
    running = Pipeline(settings, embed_model=fake_embedder)  # as the chat UI holds it
    (seed_corpus / "x.txt").write_text(OLD)
    running.ingest(seed_corpus)
    assert "reopened" in running.search("Zorblat harbour", k=1)[0].node.text
    before = chunk_ids(running, "x.txt")

    (seed_corpus / "x.txt").write_text(NEW)
    report = running.ingest(seed_corpus)
    assert report.updated == ["x.txt"]
    after = chunk_ids(running, "x.txt")
    assert len(after) == len(before) and after != before  # same count, other ids

    top = running.search("Zorblat harbour strike")[0].node
    assert top.metadata["doc_id"] == "x.txt" and "dockers' strike" in top.text
    running.ask(QUESTION)  # answers (or abstains) without a KeyError
    # And the BM25 index on disk is the new one, for the next process.
    assert Pipeline(settings, embed_model=fake_embedder).retriever.lexical().built_from == \
        running.retriever.lexical().built_from


def test_stale_bm25_never_looks_up_a_missing_chunk(settings, fake_embedder, seed_corpus) -> None:
    """A writer that changed the collection without telling (killed before it could):
    BM25 names chunks the collection no longer has; retrieval catches up instead of failing."""
    running = Pipeline(settings, embed_model=fake_embedder)
    (seed_corpus / "x.txt").write_text(OLD)
    running.ingest(seed_corpus)
    running.search("Zorblat harbour")
    stale_generation = running.store.generation()
    (seed_corpus / "x.txt").write_text(NEW)
    Pipeline(settings, embed_model=fake_embedder).ingest(seed_corpus)
    # Turn the clock back, as if the writer died before marking the collection changed.
    running.retriever._generation = running.store.generation()
    assert stale_generation != running.store.generation()
    hits = running.search("Zorblat harbour reopened storm", k=3)
    assert hits and all(h.node.node_id in chunk_ids(running, h.node.metadata["doc_id"]) for h in hits)
    assert "dockers' strike" in next(h.node.text for h in hits if h.node.metadata["doc_id"] == "x.txt")


def test_delete_swaps_bm25_at_once(settings, fake_embedder, seed_corpus) -> None:
    running = Pipeline(settings, embed_model=fake_embedder)
    (seed_corpus / "x.txt").write_text(OLD)
    running.ingest(seed_corpus)
    running.delete("x.txt")
    assert not any(i.startswith("x.txt::") for i in running.retriever._lexical.ids)
    assert all(h.node.metadata["doc_id"] != "x.txt" for h in running.search("Zorblat harbour"))


@pytest.mark.integration
def test_another_process_replaces_a_document_on_a_shared_server(tmp_path, chroma_server) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "x.txt").write_text(OLD)
    (corpus / "other.txt").write_text("Weather\nRain fell on the capital for three days in a row.\n")
    env = {"RAG_CHROMA_URL": chroma_server, "RAG_INDEX_DIR": str(tmp_path / "cli-index")}

    def cli_ingest() -> None:
        done = subprocess.run([sys.executable, "-m", "rag.app.cli", "ingest", str(corpus)], cwd=ROOT,
                              env={**os.environ, **env}, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr

    cli_ingest()
    # The running UI: its own process, its own BM25 folder, the same server.
    settings = Settings(chroma_url=chroma_server, index_dir=tmp_path / "ui-index", _env_file=None)
    running = Pipeline(settings, embed_model=MiniLMEmbedding())
    first = running.ask(QUESTION)
    assert "reopened on Monday" in first.answer, first.answer

    (corpus / "x.txt").write_text(NEW)
    cli_ingest()
    second = running.ask(QUESTION)
    assert "closed on Friday" in second.answer, second.answer
    assert all(c.doc_id != "x.txt" or "strike" in c.text for c in second.citations)
    assert json.dumps(second.to_dict())  # a whole answer, not an error
