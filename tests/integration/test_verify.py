"""The verifier on hand-made answers, with the real MiniLM embedder."""

import numpy as np
import pytest

from rag.embed.minilm import MiniLMEmbedding
from rag.text.markers import repair_markers
from rag.answer.verify import Verifier, key_tokens, split_claims
from tests.samples import PASSAGES, VERIFY

@pytest.fixture(scope="module")
def verifier() -> Verifier:
    embedder = MiniLMEmbedding()
    return Verifier(lambda texts: np.array(embedder.get_text_embedding_batch(texts)), VERIFY)


def test_markers_are_repaired_and_out_of_range_ones_dropped() -> None:
    assert repair_markers("A [Source 1]. B 【2】. C (3). D [1, 2]. E [7].", 3) == \
        "A [1]. B [2]. C [3]. D [1][2]. E."
    assert split_claims("Wagner came in 2021. [1] It stayed [2].") == [
        ("Wagner came in 2021.", [1]), ("It stayed.", [2])]


def test_key_tokens_are_numbers_and_names() -> None:
    assert key_tokens("Wagner left Mali in June 2025, after 1,200 days.") == \
        {"2025", "1200", "mali", "june"}


def test_a_correct_sentence_is_verified(verifier: Verifier) -> None:
    verdict = verifier.check("Wagner first deployed to Mali in December 2021 [1].", PASSAGES,
                             "When did Wagner deploy to Mali?")
    [sentence] = verdict.sentences
    assert sentence.status == "verified" and sentence.passage == 1
    assert PASSAGES[0][slice(*sentence.span)].startswith("Wagner first deployed")


def test_a_number_not_in_its_source_is_dropped_or_flagged(verifier: Verifier) -> None:
    text = "Wagner first deployed to Mali in December 2019 [1]."
    assert verifier.check(text, PASSAGES).sentences[0].status == "dropped"
    flagged = verifier.check(text, PASSAGES, unsupported="flag").sentences[0]
    assert flagged.status == "flagged" and flagged.passage is None


def test_a_marker_to_a_source_not_given_is_replaced(verifier: Verifier) -> None:
    verdict = verifier.check("France withdrew its last soldiers from Mali in 2022 [9].", PASSAGES)
    [sentence] = verdict.sentences
    assert sentence.cited == [] and sentence.status == "reattributed" and sentence.passage == 3


def test_an_unmarked_sentence_gets_the_passage_that_supports_it(verifier: Verifier) -> None:
    verdict = verifier.check("The Africa Corps is backed by the Russian Defence Ministry.", PASSAGES)
    assert verdict.sentences[0].status == "reattributed" and verdict.sentences[0].passage == 2


def test_a_true_sentence_citing_the_wrong_passage_is_corrected(verifier: Verifier) -> None:
    verdict = verifier.check("France withdrew its soldiers from Mali in 2022 [1].", PASSAGES)
    [sentence] = verdict.sentences
    assert sentence.cited == [1] and sentence.status == "reattributed" and sentence.passage == 3


def test_a_short_answer_is_judged_with_its_question(verifier: Verifier) -> None:
    verdict = verifier.check("In December 2021.", PASSAGES, "When did Wagner first deploy to Mali?")
    assert verdict.sentences[0].passage == 1
    wrong = verifier.check("In March 2023.", PASSAGES, "When did Wagner first deploy to Mali?")
    assert wrong.sentences[0].status == "dropped"


def test_an_answer_mixing_good_and_invented_sentences(verifier: Verifier) -> None:
    text = ("Wagner deployed to Mali in December 2021 [1]. "
            "Its fighters were paid 5,000 dollars a month by Moscow [1].")
    statuses = [s.status for s in verifier.check(text, PASSAGES).sentences]
    assert statuses == ["verified", "dropped"]


def test_an_answer_without_the_asked_kind_says_nothing(verifier: Verifier) -> None:
    from rag.answer.generate import _gives_asked_kind

    question = "Which group did Wagner work with against jihadists?"
    empty = verifier.check("The group worked with them against jihadist groups [1].", PASSAGES, question)
    named = verifier.check("Wagner worked with the Malian army [1].", PASSAGES, question)
    assert not _gives_asked_kind(question, empty)
    assert _gives_asked_kind(question, named)
    assert _gives_asked_kind("Why did Wagner leave?", empty)  # no kind asked: nothing to miss


def test_counts_written_as_words_must_be_in_the_passage(verifier: Verifier) -> None:
    assert "nine" in key_tokens("France stayed for nine years.")
    question = "How long did France stay in Mali?"
    right = verifier.check("France stayed in Mali for nine years [3].", PASSAGES, question)
    wrong = verifier.check("France stayed in Mali for seven years [3].", PASSAGES, question)
    assert right.sentences[0].status == "verified"
    assert wrong.sentences[0].status == "dropped"
