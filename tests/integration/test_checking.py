"""Sentence-by-sentence checking of a streamed answer, on hand-made streams fed a few
characters at a time, with the real MiniLM embedder (counted, to see nothing is
embedded twice)."""

import numpy as np
import pytest

from rag.answer.checking import SentenceChecker
from rag.ingest.chunk import sentence_spans
from rag.embed.minilm import MiniLMEmbedding
from rag.answer.verify import Verifier
from tests.samples import PASSAGES, VERIFY

QUESTION = "What happened to Wagner in Mali?"
ANSWER = ("Wagner first deployed to Mali in December 2021. [1] The Africa Corps stayed in Mali "
          "after Wagner left in June 2025 [Source 2]. Wagner was paid in gold in 2019 (1). "
          "France withdrew its last soldiers from Mali in 2022 【3】.")


class Counted:
    """The real embedder, remembering every text it was asked to embed."""

    def __init__(self) -> None:
        self.model, self.batches = MiniLMEmbedding(), []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.batches.append(texts)
        return np.array(self.model.get_text_embedding_batch(texts))


@pytest.fixture(scope="module")
def embed() -> Counted:
    return Counted()


def streamed(checker: SentenceChecker, text: str, step: int = 3) -> list:
    """The progress after each chunk of `step` characters."""
    return [checker.feed(text[:end]) for end in range(step, len(text) + step, step)]


@pytest.mark.parametrize("unsupported", ["drop", "flag"])
def test_streamed_sentences_are_the_final_ones(embed: Counted, unsupported: str) -> None:
    verifier = Verifier(embed, VERIFY)
    checker = SentenceChecker(verifier, PASSAGES, QUESTION, unsupported)
    steps = streamed(checker, ANSWER)
    final = checker.verdict(ANSWER)
    reference = verifier.check(ANSWER, PASSAGES, QUESTION, unsupported)
    assert [(s.text, s.cited, s.status, s.passage, s.span) for s in final.sentences] == \
        [(s.text, s.cited, s.status, s.passage, s.span) for s in reference.sentences]
    for step in steps:  # each partial shows a prefix of the final sentences, never more
        assert step.checked == final.sentences[:len(step.checked)]
    assert [len(s.checked) for s in steps] == sorted(len(s.checked) for s in steps)
    statuses = [s.status for s in final.sentences]
    assert statuses == ["verified", "verified", "flagged" if unsupported == "flag" else "dropped",
                        "verified"]
    assert [s.passage for s in final.sentences] == [1, 2, None, 3]


def test_each_sentence_is_embedded_once(embed: Counted) -> None:
    embed.batches.clear()
    checker = SentenceChecker(Verifier(embed, VERIFY), PASSAGES, QUESTION, "drop")
    streamed(checker, ANSWER, step=1)
    checker.verdict(ANSWER)
    passages, *claims = embed.batches  # the passages' sentences first, once
    assert passages == [p[s:e] for p in PASSAGES for s, e in sentence_spans(p)]
    claims = [text for batch in claims for text in batch]
    assert len(claims) == len(set(claims)) == 4


def test_a_sentence_completes_only_when_words_follow(embed: Counted) -> None:
    checker = SentenceChecker(Verifier(embed, VERIFY), PASSAGES, QUESTION, "drop")
    first = "Wagner first deployed to Mali in December 2021."
    for partial in (first, f"{first} [", f"{first} [1", f"{first} [1]", f"{first} [Sou",
                    f"{first} (Source 1", f"{first} [1] [2"):
        progress = checker.feed(partial)
        assert progress.checked == [] and progress.tail.startswith("Wagner first")
    progress = checker.feed(f"{first} [1] It")
    assert [(s.text, s.cited) for s in progress.checked] == [(first, [1])]
    assert progress.tail == "It"
    # The marker moved into the sentence it ends; the tail never shows raw markers.
    progress = checker.feed(f"{first} [1] It stayed [2")
    assert len(progress.checked) == 1 and progress.tail == "It stayed"
    assert checker.feed(f"{first} [1] It stayed [2] until").tail == "It stayed until"


def test_nothing_is_embedded_before_a_sentence_completes(embed: Counted) -> None:
    embed.batches.clear()
    checker = SentenceChecker(Verifier(embed, VERIFY), PASSAGES, QUESTION, "drop")
    checker.feed("NOT FOUND")
    assert embed.batches == []
    assert checker.verdict("").abstained
