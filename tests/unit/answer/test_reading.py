"""Answering with the reader, through its real seam (the extractive answerer's `reader`) with
a scripted reader and the fake embedder: the span leads, then the one sentence holding it;
a span of the wrong type is refused; a weak span abstains; a decisive span ends the reading.
The trained model itself is tried in tests/integration/test_reader.py."""

import numpy as np
import pytest

from rag.answer.base import unsupported_sentences
from rag.answer.question import DATE, NAME, NUMBER, question_words, span_has_type
from rag.answer.reader.model import Reader, Span, _best_spans
from rag.pipeline import Pipeline
from rag.settings import Settings


class ScriptedReader(Reader):
    """Reads every window for the scripted strings, each with its margin."""

    def __init__(self, script: dict[str, float]) -> None:  # no model loaded
        self.script = script
        self.calls: list[int] = []  # windows per ONNX call

    def spans(self, question: str, windows: list[str], count: int = 3) -> list[list[Span]]:
        self.calls.append(len(windows))
        found = []
        for text in windows:
            spans = [Span(at, at + len(s), s, margin) for s, margin in self.script.items()
                     if (at := text.find(s)) >= 0]
            found.append(sorted(spans, key=lambda span: -span.margin)[:count])
        return found


DEPLOYED = "When was Wagner Group deployed to Mali to train local forces and security services?"


@pytest.fixture
def pipeline(settings: Settings, fake_embedder, seed_corpus) -> Pipeline:
    p = Pipeline(settings.changed(answer__reader__enabled=True, answer__reader__floor=False,
                                  answer__reader__near_miss=False, answer__reader__threshold=0.0,
                                  answer__reader__lead=0.0),
                 embed_model=fake_embedder)
    p.ingest(seed_corpus)
    return p


def ask(pipeline: Pipeline, question: str, script: dict[str, float], **settings) -> tuple[str, ScriptedReader]:
    reader = ScriptedReader(script)
    pipeline.answerer.reader = reader
    if settings:
        pipeline.answerer.settings = pipeline.settings.changed(
            **{f"answer__reader__{k}": v for k, v in settings.items()})
    answer = pipeline.ask(question)
    assert unsupported_sentences(answer) == []
    return answer.answer, reader


def test_the_span_leads_then_the_one_sentence_that_holds_it(pipeline: Pipeline) -> None:
    answer, _ = ask(pipeline, DEPLOYED, {"December 2021": 5.0})
    assert answer == ("**December 2021** [1] Wagner Group deployed to Mali in December 2021 in order "
                      "to train local forces and security services to face armed insurgents. [1]")


def test_a_span_of_the_wrong_type_gives_way_to_the_next_of_the_asked_type(pipeline: Pipeline) -> None:
    question = "How many Wagner operators did JNIM say they killed in an ambush in central Mali this week?"
    answer, _ = ask(pipeline, question, {"Wagner operators": 6.0, "four": 2.0})
    assert answer.startswith("**four** [1] This week, JNIM said they killed four Wagner operators")
    answer, _ = ask(pipeline, question, {"Wagner operators": 6.0})  # nothing of the type: abstain
    assert answer == "I could not find this in the corpus."
    # Untyped, a span still has to say something the question does not.
    answer, _ = ask(pipeline, question, {"Wagner operators": 6.0, "an ambush in central Mali": 5.0,
                                         "JNIM said they killed four": 1.0}, typed=False)
    assert answer.startswith("**JNIM said they killed four** [1]")


def test_a_span_the_reader_is_unsure_of_leads_nothing(pipeline: Pipeline) -> None:
    answer, _ = ask(pipeline, DEPLOYED, {"December 2021": 1.0}, lead=2.0)
    assert "**" not in answer and "December 2021" in answer  # the rules' quote, unled
    answer, _ = ask(pipeline, DEPLOYED, {"December 2021": 1.0}, lead=2.0, unsure="sentence")
    assert answer == ("Wagner Group deployed to Mali in December 2021 in order to train local forces "
                      "and security services to face armed insurgents. [1]")


def test_a_weak_span_abstains(pipeline: Pipeline) -> None:
    answer, _ = ask(pipeline, DEPLOYED, {"December 2021": -1.0})
    assert answer == "I could not find this in the corpus."


def test_a_decisive_span_ends_the_reading(pipeline: Pipeline) -> None:
    question = DEPLOYED
    _, reader = ask(pipeline, question, {"December 2021": 5.0}, first=2, decisive=4.0, windows=6)
    assert reader.calls == [2]
    _, reader = ask(pipeline, question, {"December 2021": 5.0}, first=2, decisive=9.0, windows=6)
    assert reader.calls == [2, 4]


def test_a_why_question_may_quote_the_neighbouring_sentences(pipeline: Pipeline) -> None:
    answer, _ = ask(pipeline, "Why was Wagner Group deployed to Mali in December 2021?",
                    {"to train local forces": 5.0})
    assert answer.startswith("**to train local forces** [1] Wagner Group deployed to Mali in December 2021")
    assert "It is possible their mission" in answer  # the next sentence too
    answer, _ = ask(pipeline, "Why was Wagner Group deployed to Mali in December 2021?",
                    {"to train local forces": 5.0}, neighbours="never")
    assert answer.endswith("face armed insurgents. [1]")


def test_best_spans_are_the_surest_that_share_no_piece() -> None:
    text = "aa bb cc dd"
    offsets = [(0, 0), (0, 2), (3, 5), (6, 8), (9, 11), (0, 0)]  # [CLS], four pieces, [SEP]
    context = np.array([1, 2, 3, 4])
    start = np.array([0.0, 2.0, 5.0, 0.0, 4.0, -9.0])
    end = np.array([0.0, 0.0, 5.0, 1.0, 3.0, -9.0])
    spans = _best_spans(start, end, context, offsets, text, 3)
    assert [s.text for s in spans] == ["bb", "dd", "aa"]  # "bb cc" etc. overlap "bb"
    assert spans[0].margin == 10.0 and spans[1].margin == 7.0
    for span in spans:
        assert text[span.start:span.end] == span.text


def test_a_span_must_hold_the_asked_kind_and_say_something_new() -> None:
    said = set(question_words("How many fighters did Wagner send?"))
    assert not span_has_type("Wagner mercenaries", NUMBER, said)
    assert span_has_type("about 1,000", NUMBER, said) and span_has_type("two thousand", NUMBER, said)
    assert span_has_type("August 15th", DATE, set()) and span_has_type("the 1990s", DATE, set())
    assert not span_has_type("the junta", DATE, set())
    assert span_has_type("the Africa Corps", NAME, set(question_words("Who replaced Wagner in Mali?")))
    assert not span_has_type("Mali", NAME, set(question_words("Who replaced Wagner in Mali?")))
    assert not span_has_type("the mercenaries", NAME, set())
    # Words, not stems: the question's "structure" leaves "Structural" new; a bare "1" is new too.
    assert span_has_type("Structural", None, question_words("Which geologists study rock structure?"))
    assert span_has_type("1", NUMBER, question_words("What number was not a true number?"))
