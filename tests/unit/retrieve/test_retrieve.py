"""The per-document cap on the final top k, and the sentence share of dense scores."""

import numpy as np
from llama_index.core.schema import TextNode

from rag.pipeline import Pipeline
from rag.retrieve.retriever import best_sentences, cap_per_document

RANKED = ["a::h::0", "a::h::1", "a::h::2", "b::h::0", "c::h::0", "b::h::1"]


def test_cap_keeps_order_and_limits_each_document() -> None:
    assert cap_per_document(RANKED, 4, 0) == RANKED[:4]
    assert cap_per_document(RANKED, 4, 2) == ["a::h::0", "a::h::1", "b::h::0", "c::h::0"]
    assert cap_per_document(RANKED, 3, 1) == ["a::h::0", "b::h::0", "c::h::0"]


def test_cap_fills_from_the_rest_when_documents_run_out() -> None:
    assert cap_per_document(RANKED, 5, 1) == ["a::h::0", "b::h::0", "c::h::0", "a::h::1", "a::h::2"]
    assert cap_per_document(["x::h::0", "x::h::1"], 5, 1) == ["x::h::0", "x::h::1"]


def test_a_chunk_is_as_close_as_its_best_stored_sentence() -> None:
    class Stored:  # the SentenceVectors lookup: text -> vector, for those stored
        def get(self, texts: list[str]) -> dict:
            vectors = {"Wagner left Mali.": np.array([1.0, 0.0]), "Rain fell.": np.array([0.0, 1.0])}
            return {t: vectors[t] for t in texts if t in vectors}

    nodes = {"a": TextNode(text="Rain fell. Wagner left Mali."), "b": TextNode(text="Nothing stored here.")}
    best = best_sentences(nodes, np.array([0.8, 0.6]), Stored())  # type: ignore[arg-type]
    assert best == {"a": 0.8}  # b has no stored sentence: it keeps its own cosine


def test_the_sentence_share_moves_dense_scores(settings, fake_embedder) -> None:
    plain = Pipeline(settings, fake_embedder)
    plain.ingest()
    shared = Pipeline(settings.changed(retrieval__sentence_share=0.3), fake_embedder, create=False)
    question = "When did Wagner deploy to Mali?"
    before = {r.node.node_id: r.node.metadata["dense_score"] for r in plain.search(question, k=5)}
    after = {r.node.node_id: r.node.metadata["dense_score"] for r in shared.search(question, k=5)}
    assert before and after and before != after
