"""The per-document cap on the final top k, the sentence share of dense scores, and filtered search."""

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


def test_a_filter_keeping_most_chunks_finds_what_chromas_filtered_search_finds(settings, fake_embedder) -> None:
    pipeline = Pipeline(settings, fake_embedder)
    pipeline.ingest()
    retriever, store = pipeline.retriever, pipeline.store
    ids = store.chunk_ids()
    dropped = {"doc_id": {"$ne": ids[0].rsplit("::", 2)[0]}}  # every document but one
    allowed = frozenset(store.chunk_ids(dropped))
    assert len(ids) / 2 <= len(allowed) < len(ids)
    query = fake_embedder.get_query_embedding("Why did Wagner leave Mali?")
    fast, _ = retriever._nearest(query, dropped, allowed, len(ids))
    filtered, _ = store.nearest(query, settings.retrieval.candidates, dropped)
    assert list(fast) == list(filtered)


def test_a_filters_chunk_ids_are_listed_once_per_collection_generation(settings, fake_embedder,
                                                                        monkeypatch) -> None:
    pipeline = Pipeline(settings, fake_embedder)
    pipeline.ingest()
    listed: list[dict | None] = []
    chunk_ids = pipeline.store.chunk_ids
    # Only filtered listings count: an ingest lists every chunk for BM25 too.
    monkeypatch.setattr(pipeline.store, "chunk_ids",
                        lambda where=None: (where and listed.append(where)) or chunk_ids(where))
    as_of = pipeline.filters(as_of="2030-01-01")
    first = [r.node.node_id for r in pipeline.search("Why did Wagner leave Mali?", k=3, filters=as_of)]
    again = [r.node.node_id for r in pipeline.search("Why did Wagner leave Mali?", k=3, filters=as_of)]
    assert first == again and len(listed) == 1
    (settings.corpus_dir / "new.md").write_text("# Orvik\n\nThe Orvik bridge opened in 2029 after four years.\n")
    pipeline.ingest()  # a new generation: the filter is listed again
    pipeline.search("When did the Orvik bridge open?", k=3, filters=as_of)
    assert len(listed) == 2
