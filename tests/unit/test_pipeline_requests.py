"""Searches carry their own k and filters (`SearchRequest`): questions answered at once
on one pipeline do not see each other's, as the chat does when it runs them in parallel."""

from concurrent.futures import ThreadPoolExecutor

from rag.retrieve.filters import Filters
from rag.pipeline import Pipeline
from rag.retrieve.retriever import SearchRequest

QUESTION = "Which Russian force stayed after Wagner left?"


def test_parallel_searches_keep_their_own_k_and_filters(settings, fake_embedder) -> None:
    pipeline = Pipeline(settings, fake_embedder)
    pipeline.ingest()
    only = Filters(sources=("nobody-publishes-this",))
    expected = {(k, f): [n.node.node_id for n in pipeline.search(QUESTION, k, f)]
                for k in (1, 3, 5) for f in (Filters(), only)}
    assert [len(v) for v in expected.values()] == [1, 0, 3, 0, 5, 0]

    def run(key: tuple[int, Filters]) -> list[str]:
        return [n.node.node_id for n in pipeline.search(QUESTION, *key)]

    keys = list(expected) * 8
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(run, keys)) == [expected[key] for key in keys]


def test_the_retriever_holds_no_request_state(settings, fake_embedder) -> None:
    pipeline = Pipeline(settings, fake_embedder)
    pipeline.ingest()
    assert len(pipeline.retriever.search(QUESTION, SearchRequest(k=2))) == 2
    assert len(pipeline.retriever.retrieve(QUESTION)) == settings.retrieval.top_k  # llama-index's own entry
    assert not hasattr(pipeline.retriever, "top_k") and not hasattr(pipeline.retriever, "filters")
