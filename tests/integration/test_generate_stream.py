"""A generated answer streamed as checked sentences, with a stub model writing a hand-made
answer a few characters at a time (unit test: the model is the stub; the index, the
embedder and the quoted answer are real)."""

import pytest

from rag.answer.generate import GeneratingAnswerer
from rag.ingest.chunk import sentence_spans
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.fakes import ScriptedLLM
from tests.samples import SEED_CORPUS

QUESTION = "Which Russian force stayed after Wagner left?"


def numbered(citations: list) -> list[tuple]:
    return [(c.n, c.doc_id, c.start) for c in citations]


def sentence_of(passage: str, other: str) -> str:
    """The longest full sentence of `passage` that `other` does not hold."""
    return max((passage[s:e] for s, e in sentence_spans(passage)
                if passage[e - 1] == "." and passage[s:e] not in other), key=len)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    p = Pipeline(Settings(index_dir=tmp_path_factory.mktemp("index"), corpus_dir=SEED_CORPUS,
                          _env_file=None))
    p.ingest()
    return p


def test_partials_show_checked_sentences_and_the_final_keeps_them(pipeline: Pipeline) -> None:
    passages = pipeline.search(QUESTION)[: pipeline.settings.llm.passages]
    first, second = (p.node.get_content() for p in passages[:2])
    text = (f"{sentence_of(first, second)} [1] The moon is made of cheese since 1999 [2]. "
            f"{sentence_of(second, first)} [2]")
    answerer = GeneratingAnswerer(ScriptedLLM(text), pipeline.answerer_for("extractive"),
                                  pipeline.settings, "local", pipeline.embed_model)
    steps = list(answerer.stream(QUESTION, passages))
    quoted, partials, last = steps[0], steps[1:-1], steps[-1]

    assert [r["status"] for r in last.sentences] == ["verified", "dropped", "verified"]
    assert "cheese" not in last.answer and [c.n for c in last.citations] == [1, 2][:len(last.citations)]
    seen = 0
    for partial in partials:
        assert partial.answer == quoted.answer
        assert numbered(partial.citations[:len(quoted.citations)]) == numbered(quoted.citations)
        rows = [(r["text"], r["status"]) for r in partial.sentences]
        assert rows == [(r["text"], r["status"]) for r in last.sentences][:len(rows)]
        by_n = {c.n: c for c in partial.citations}
        for row in partial.sentences:
            if row["cited"] is not None:  # the [n] opens the passage the sentence came from
                assert row["text"].rstrip(".") in " ".join(by_n[row["cited"]].text.split())
        assert "[" not in partial.draft
        seen = max(seen, len(rows))
    assert seen == 2  # the last sentence completes only when the answer does
