"""Extractive answering and its guarantees, with the fake embedder."""

import pytest
from llama_index.core.schema import NodeWithScore, TextNode

from rag.answer.base import Answer, Citation, unsupported_sentences
from rag.answer.candidates import Candidate, choose, in_context
from rag.answer.question import (DATE, NAME, NUMBER, abbreviable, acronyms, asked_type, compound, constraints, has_type,
                                 mentioned, opposed, plain_terms)
from rag.ingest.chunk import sentence_spans
from rag.retrieve.condense import condense, needs_context
from rag.pipeline import Pipeline
from rag.prompts import ABSTAIN


@pytest.fixture
def pipeline(settings, fake_embedder, seed_corpus) -> Pipeline:
    p = Pipeline(settings, embed_model=fake_embedder)
    p.ingest(seed_corpus)
    return p


def test_answer_sentences_are_verbatim_and_every_marker_resolves(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Which US department sanctioned Sadio Camara, the Defense Minister?")
    assert not answer.abstained
    assert "Sadio Camara" in answer.answer
    assert unsupported_sentences(answer) == []
    numbers = {c.n for c in answer.citations}
    assert numbers == set(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.answer
        document = (pipeline.settings.corpus_dir / citation.doc_id).read_text()
        assert citation.end - citation.start == len(citation.text)
        for start, end in citation.highlights:  # a quote of several sentences reads as one line
            assert " ".join(citation.text[start:end].split()) in answer.answer
            assert " ".join(citation.text[start:end].split()) in " ".join(document.split())


def test_answer_reports_what_was_searched_and_retrieved(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Who founded Wagner?")
    assert answer.searched_for == "Who founded Wagner?"
    assert len(answer.retrieved) == pipeline.settings.retrieval.top_k
    assert answer.latency_ms > 0 and answer.done


def test_stream_grows_to_the_final_answer(pipeline: Pipeline) -> None:
    steps = list(pipeline.stream("What did the Africa Corps announce about Mali?"))
    assert [s.done for s in steps] == [False] * (len(steps) - 1) + [True]
    texts = [s.answer for s in steps]
    assert all(later.startswith(earlier) for earlier, later in zip(texts, texts[1:]))


def test_weak_evidence_abstains_with_the_sentinel(pipeline: Pipeline) -> None:
    pipeline.answerer.settings = pipeline.settings.changed(answer__abstain_threshold=99.0)
    answer = pipeline.ask("Who founded Wagner?")
    assert answer.abstained and answer.answer == ABSTAIN and answer.citations == []


def test_unsupported_sentences_catch_invented_text() -> None:
    citation = Citation(n=1, doc_id="d", title="t", text="Alpha is here. Beta is there.", start=0, end=29)
    good = Answer(question="q", answer="Beta is there. [1]", abstained=False, citations=[citation])
    bad = Answer(question="q", answer="Gamma is nowhere. [1] Trailing claim.", abstained=False,
                 citations=[citation])
    wrong_marker = Answer(question="q", answer="Alpha is here. [2]", abstained=False, citations=[citation])
    assert unsupported_sentences(good) == []
    assert unsupported_sentences(bad) == ["Gamma is nowhere.", "Trailing claim."]
    assert unsupported_sentences(wrong_marker) == ["Alpha is here."]


def test_condense_only_follow_ups() -> None:
    history = ["Which Russian force stayed after Wagner left?"]
    assert condense("Who backs it?", history) == "Who backs it? (Which Russian force stayed after Wagner left?)"
    standalone = "When did the French government announce the withdrawal of its soldiers?"
    assert condense(standalone, history) == standalone
    assert condense("Who backs it?", []) == "Who backs it?"
    assert needs_context("And when?") and not needs_context(standalone)
    # A chain of follow-ups reaches back to the question that named the subject.
    chain = ["Who founded Wagner?", "Where did he flee?"]
    assert condense("When?", chain) == "When? (Who founded Wagner? Where did he flee?)"
    assert condense("When?", ["Unrelated first question here?", *chain]) == \
        "When? (Who founded Wagner? Where did he flee?)"
    assert condense("Where?", ["Who founded Wagner?", "And the year?"]) == \
        "Where? (Who founded Wagner? And the year?)"


def test_near_misses_abstain_and_complete_sentences_stand_alone(pipeline: Pipeline) -> None:
    # The answer sentence holds every question term and a number: its passage alone is cited,
    # quoted with the sentence before it (its chunk ends with it).
    answer = pipeline.ask("How many Wagner operators did JNIM kill?")
    assert answer.answer == ("Back in April, JNIM claimed to have captured a Wagner contractor after clashes "
                             "in the Mora village. This week, JNIM said they killed four Wagner operators "
                             "in an ambush in central Mali. [1]")
    assert len(answer.citations) == 1 and len(answer.citations[0].highlights) == 1
    # The same question about a place and a year the passage never names, or negated; and a
    # name no article has.
    assert pipeline.ask("How many Wagner operators did JNIM kill in Niger in 2024?").abstained
    assert pipeline.ask("How many Wagner operators did JNIM kill in Niger?").abstained
    assert pipeline.ask("Which group did not kill four Wagner operators in central Mali?").abstained
    tinzaouaten = pipeline.ask("What happened at Tinzaouaten?", ["Why did Wagner leave Mali?"])
    assert tinzaouaten.searched_for == "What happened at Tinzaouaten?" and tinzaouaten.abstained


def test_condense_reads_possessives_adverbs_and_short_named_questions() -> None:
    # Leaning on the conversation through a possessive with no owner, or a place/time adverb.
    assert needs_context("What is its main goal?")
    assert needs_context("What did his report say there?")
    assert needs_context("What happened then?")
    assert needs_context("In which country is his foundation based?")
    assert needs_context("What about Niger?")
    # The possessive's owner is in the question; "is there" is not a place.
    assert not needs_context("Why did Wagner withdraw its soldiers from Mali?")
    assert not needs_context("Is there a ceasefire in northern Mali now?")
    # Short, but a name or a number makes it complete.
    history = ["Why did Wagner leave Mali?"]
    assert condense("What happened at Tinzaouaten?", history) == "What happened at Tinzaouaten?"
    assert condense("Who led the 2012 revolt?", history) == "Who led the 2012 revolt?"
    assert condense("What is its main goal?", ["What is the Africa Corps?"]) == \
        "What is its main goal? (What is the Africa Corps?)"


def test_question_kind_and_constraints() -> None:
    assert asked_type("When did Wagner deploy to Mali?") == DATE
    assert asked_type("In what year did the coup happen?") == DATE
    assert asked_type("How many troops does Minusma have?") == NUMBER
    assert asked_type("Which agency sanctioned Camara?") == NAME
    assert asked_type("Who founded Wagner?") == NAME
    assert asked_type("Why did Wagner leave?") is None
    question = {"wagner", "deploy", "mali"}
    assert has_type("Wagner deployed to Mali in December 2021.", DATE, question)
    assert not has_type("Wagner deployed to Mali to train local forces.", DATE, question)
    assert has_type("JNIM killed four Wagner operators.", NUMBER, question)
    assert has_type("The Treasury sanctioned Camara.", NAME, {"agenc", "sanction", "camara"})
    assert not has_type("They sanctioned Camara.", NAME, {"agenc", "sanction", "camara"})
    assert constraints("How much gold did Wagner export from Sudan in 2020?") == {"wagner", "sudan", "2020"}
    assert compound("Who is Mali's President, and who is its Defense Minister?")
    assert not compound("Who sanctioned Camara and Goita?")
    assert opposed("Where were the pro-Chinese riots in the non-Islamic world?") == {"pro-chinese", "non-islamic"}


def test_names_match_in_their_other_forms() -> None:
    passage = "Russia's Defence Ministry and the European Union met Zeira in Temür's Mali in 2021."
    present, spelled_out = set(plain_terms(passage)), acronyms(passage)
    for name in ("Russian", "Malians", "Defense", "EU", "Zeria", "Temur", "2021"):
        assert all(mentioned(t, present, spelled_out) for t in plain_terms(name)), name
    for name in ("Niger", "Sudan", "2020", "UN"):
        assert not all(mentioned(t, present, spelled_out) for t in plain_terms(name)), name
    later = set(plain_terms("In February the US named its third envoy."))
    assert mentioned("feb", later, set()) and mentioned("3rd", later, set())
    assert abbreviable("Did the United States of America name a Chinese-style envoy?") == {
        "usa": {"unit", "state", "america"}}
    assert constraints("What was Temur Khan's Chinese-style name?") == {"temur", "khan", "chines"}


def test_pipeline_refuses_an_answer_its_passages_do_not_support(pipeline: Pipeline) -> None:
    class Inventing:
        def standalone(self, question, history):
            return question

        def stream(self, question, passages):
            node = passages[0].node
            citation = Citation(n=1, doc_id=node.metadata["doc_id"], title="", text=node.get_content(),
                                start=0, end=len(node.get_content()))
            yield Answer(question=question, answer="Wagner was founded on the Moon. [1]",
                         abstained=False, citations=[citation])

    pipeline.answerer = Inventing()
    answer = pipeline.ask("Who founded Wagner?")
    assert answer.abstained and answer.answer == ABSTAIN and answer.citations == []


def test_the_best_sentence_is_quoted_with_the_statements_around_it() -> None:
    text = ("Wagner News\nFirst fact here today. Second fact here today. Best sentence is here. "
            "Fourth fact here today. Fifth fact here today. Sixth fact here today.")
    passage = NodeWithScore(node=TextNode(text=text), score=1.0)
    spans = sentence_spans(text)

    def candidate(i: int) -> Candidate:
        return Candidate(0, passage, *spans[i])

    # One sentence before (not the heading line) and two after; a runner-up inside the quote drops out.
    quote, *rest = in_context([candidate(3), candidate(4), candidate(1)])
    assert quote.text == ("Second fact here today. Best sentence is here. Fourth fact here today. "
                          "Fifth fact here today.")
    assert [c.text for c in rest] == ["First fact here today."]
    # Nothing before a first sentence that follows a heading.
    assert in_context([candidate(1)])[0].text.startswith("First fact")


def test_a_two_part_question_reaches_further_for_its_second_part(settings) -> None:
    first, second = "Goita is the interim President of Mali.", "Camara is the Defense Minister of Mali."

    def ranked(two_part: bool) -> list[Candidate]:
        return [Candidate(0, NodeWithScore(node=TextNode(text=first)), 0, len(first), matched={"presid": 0.5},
                          score=0.9, two_part=two_part),
                Candidate(1, NodeWithScore(node=TextNode(text=second)), 0, len(second), matched={"minist": 0.5},
                          score=0.6, two_part=two_part)]

    assert [c.text for c in choose(ranked(two_part=False), settings.answer.weights, limit=3)] == [first]
    assert [c.text for c in choose(ranked(two_part=True), settings.answer.weights, limit=3)] == [first, second]


def test_a_quote_of_two_sentences_is_put_in_context_not_looked_up_as_one() -> None:
    # The reader widens a span crossing a sentence boundary to both sentences; the lookup of
    # that quote among single sentences raised "(63, 257) is not in list" (case 14).
    text = ("Wagner News\nFirst fact here today. Second fact here today. Best sentence is here. "
            "Fourth fact here today. Fifth fact here today. Sixth fact here today. Seventh one here.")
    passage = NodeWithScore(node=TextNode(text=text), score=1.0)
    spans = sentence_spans(text)
    two = Candidate(0, passage, spans[3][0], spans[4][1])  # "Best sentence ... Fourth fact ..."
    quote, = in_context([two])
    assert quote.text == ("Second fact here today. Best sentence is here. Fourth fact here today. "
                          "Fifth fact here today. Sixth fact here today.")
    # A span that starts and ends inside sentences quotes them whole.
    inside = Candidate(0, passage, spans[3][0] + 5, spans[4][0] + 3)
    assert in_context([inside])[0].text == quote.text
