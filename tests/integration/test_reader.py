"""The trained reader (models/reader/): loaded with its hash checked, spans inside their
passages, abstention on an unanswerable question, a span of the wrong type refused,
follow-ups read from the right article."""

import shutil
from pathlib import Path

import pytest

from rag.answer.base import unsupported_sentences
from rag.embed.minilm import MiniLMEmbedding
from rag.pipeline import Pipeline
from rag.answer.reader.model import READER_DIR, Reader, ReaderUnavailable
from rag.settings import Settings
from tests.samples import SEED_CORPUS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Pipeline:
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), _env_file=None)
    pipeline = Pipeline(settings, embed_model=MiniLMEmbedding())
    pipeline.ingest(SEED_CORPUS)
    return pipeline


def test_the_shipped_model_matches_its_recorded_hash(tmp_path: Path) -> None:
    Reader(READER_DIR)  # loads
    copy = tmp_path / "reader"
    shutil.copytree(READER_DIR, copy)
    data = bytearray((copy / "reader.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "reader.onnx").write_bytes(bytes(data))
    with pytest.raises(ReaderUnavailable, match="does not match its recorded sha256") as error:
        Reader(copy)
    assert "\n" not in str(error.value)


def test_a_missing_model_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ReaderUnavailable, match="no reader model") as error:
        Reader(tmp_path)
    assert "\n" not in str(error.value) and "RAG_ANSWER__READER__DIR" in str(error.value)


def test_spans_lie_inside_their_windows(reader: Reader) -> None:
    windows = ["Wagner arrived in Mali in December 2021, months after the second coup.",
               "The junta expelled French forces. Africa Corps, run by the Kremlin, stayed on."]
    spans = reader.read("When did Wagner arrive in Mali?", windows)
    for span, text in zip(spans, windows):
        assert span is not None and 0 <= span.start < span.end <= len(text)
        assert text[span.start:span.end] == span.text
    assert "2021" in spans[0].text
    assert spans[0].margin > spans[1].margin


def test_a_window_gives_its_best_spans_apart_and_surest_first(reader: Reader) -> None:
    text = ("The junta expelled French forces in 2022. Africa Corps, run by the Kremlin, stayed on "
            "with about 2,000 fighters.")
    (spans,) = reader.spans("Who stayed on in Mali?", [text], 3)
    assert 1 < len(spans) <= 3
    assert [s.margin for s in spans] == sorted((s.margin for s in spans), reverse=True)
    assert reader.read("Who stayed on in Mali?", [text])[0] == spans[0]
    for span in spans:
        assert text[span.start:span.end] == span.text
    for a, b in zip(sorted(spans, key=lambda s: s.start), sorted(spans, key=lambda s: s.start)[1:]):
        assert a.end <= b.start  # no two share a character


QUESTIONS = ["Which force remained active in Mali after Wagner left?", "When did Wagner Group deploy to Mali?",
             "Who is Mali's interim President?", "How many Wagner operators did JNIM say it killed?",
             "Why did Wagner leave Mali?", "Who replaced them?"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_lead_lies_inside_the_sentence_it_cites(seeded: Pipeline, question: str) -> None:
    answer = seeded.ask(question, history=["Why did Wagner leave Mali?"] if "them" in question else [])
    assert not answer.abstained, question
    assert unsupported_sentences(answer) == []
    if not answer.answer.startswith("**"):
        return  # the reader was not sure enough of its span to show it (`reader.lead`)
    lead = answer.answer.split("**")[1]
    assert answer.answer.startswith(f"**{lead}** [1] ")
    first = answer.citations[0]
    start, end = first.highlights[0]
    assert lead in " ".join(first.text[start:end].split())


def test_the_short_answer_comes_first_and_is_quoted(seeded: Pipeline) -> None:
    # A question the reader is sure of (its span beats no-answer by the lead margin).
    answer = seeded.ask("Who led the failed mutiny?")
    assert not answer.abstained
    lead = answer.answer.split("**")[1]
    assert "Utkin" in lead
    assert answer.answer.startswith(f"**{lead}** [1]")
    assert lead in answer.citations[0].text  # the span is the passage's own words
    assert unsupported_sentences(answer) == []


def test_a_constructed_unanswerable_question_abstains(seeded: Pipeline) -> None:
    # On topic (Mali, Wagner) but asking what no article states.
    answer = seeded.ask("What was the name of the Wagner commander's dog in Bamako?")
    assert answer.abstained, answer.answer


@pytest.mark.xfail(strict=False, reason="the shipped reader reads 'two' (coups) at -4.1 logits over no answer, "
                   "and a threshold that abstains on it costs seed cases (evals/README.md); re-check with a new model")
def test_a_how_many_question_the_corpus_gives_no_number_for_abstains(seeded: Pipeline) -> None:
    # The issue's example: no article counts the fighters Wagner sent.
    answer = seeded.ask("How many fighters did Wagner send?")
    assert answer.abstained, answer.answer


def test_a_span_of_the_wrong_type_is_refused(seeded: Pipeline) -> None:
    # "Wagner mercenaries" (the issue's lead for this question) holds no number.
    answer = seeded.ask("How many fighters did Wagner send?")
    assert not answer.answer.startswith("**Wagner mercenaries**")
    answer = seeded.ask("How many Wagner operators did JNIM say it killed?")
    assert answer.answer.startswith("**four** [1]"), answer.answer  # not "Wagner operators"


def test_the_follow_up_from_the_issue_is_answered_from_the_africa_corps_sentence(seeded: Pipeline) -> None:
    answer = seeded.ask("Who replaced them?", history=["Why did Wagner leave Mali?"])
    assert answer.searched_for == "Who replaced them? (Why did Wagner leave Mali?)"
    # The reader's sentence comes first; the shipped model is unsure of its span there
    # (it reads "Yevgeny Prigozhin"), so nothing is shown in bold.
    first = answer.answer.split(" [1]")[0]
    assert "Africa Corps" in first and "**Yevgeny" not in answer.answer


def test_a_follow_up_after_an_unrelated_turn_is_read_from_the_right_article(seeded: Pipeline) -> None:
    answer = seeded.ask("Who replaced them?", history=["What is the capital of France?",
                                                       "Why did Wagner leave Mali?"])
    assert not answer.abstained
    assert "Africa Corps" in answer.answer
