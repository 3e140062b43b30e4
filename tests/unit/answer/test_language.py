"""A question in another language than the corpus abstains and says why (issue 8)."""

import json

import pytest

from rag.answer.language import in_other_language
from rag.pipeline import Pipeline
from rag.prompts import ABSTAIN, OTHER_LANGUAGE
from tests.samples import ROOT

FOREIGN = ["Quand le groupe Wagner est-il arrivé au Mali ?", "¿Cuándo llegó el grupo Wagner a Malí?",
           "Wann kam die Wagner-Gruppe nach Mali?", "Chi guida il gruppo Wagner in Mali?",
           "Quem foi sancionado pelo Tesouro dos EUA?", "Кто возглавляет группу Вагнера?",
           "瓦格纳集团何时部署到马里？", "Wie heeft Wagner in Mali ingezet?"]


@pytest.mark.parametrize("question", FOREIGN)
def test_other_languages_are_recognised(question: str) -> None:
    assert in_other_language(question)


def test_english_questions_are_not_mistaken() -> None:
    cases = [json.loads(line) for path in sorted((ROOT / "evals").glob("*.jsonl"))
             for line in path.read_text().splitlines() if line.strip()]
    english = [c["question"] for c in cases if not c["id"].startswith("lang-")]
    assert len(english) > 100
    assert [q for q in english if in_other_language(q)] == []
    for terse in ["Wagner Mali Prigozhin", "Is Wagner in Mali?", "Who is Sadio Camara?", "2021?"]:
        assert not in_other_language(terse)


def test_asking_in_french_abstains_with_a_note(settings, fake_embedder, seed_corpus) -> None:
    pipeline = Pipeline(settings, embed_model=fake_embedder)
    pipeline.ingest(seed_corpus)
    answer = pipeline.ask("Quand le groupe Wagner est-il arrivé au Mali ?")
    assert answer.abstained and answer.citations == []
    assert answer.answer == f"{ABSTAIN} {OTHER_LANGUAGE}"
    assert not pipeline.ask("When did Wagner deploy to Mali?", k=5).answer.endswith(OTHER_LANGUAGE)
