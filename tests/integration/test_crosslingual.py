"""A question in French, Spanish or German answered from the English passages with e5
(real embedders, real Chroma index); MiniLM keeps the "ask in English" note."""

import pytest

from rag.embed.minilm import MiniLMEmbedding
from rag.pipeline import Pipeline
from rag.prompts import ABSTAIN, OTHER_LANGUAGE, SOURCES_IN_ENGLISH
from rag.settings import Settings
from tests.samples import SEED_CORPUS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def e5_pipeline(tmp_path_factory) -> Pipeline:
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), ingest__embedder="e5", _env_file=None)
    pipeline = Pipeline(settings)
    pipeline.ingest(SEED_CORPUS)
    return pipeline


# Two articles date Wagner's arrival: "in December 2021" (000) and "in late 2021" (001).
@pytest.mark.parametrize("question, sources", [
    ("Quand le groupe Wagner s'est-il déployé au Mali ?",
     {"000_ce31d8d4dec75cd6.txt": "December 2021", "001_b907f60da323e9d4.txt": "late 2021"}),
    ("¿En qué canal publicó Africa Corps su comunicado sobre la salida de Wagner?",
     {"003_1c59dd173ef6f39b.txt": "Telegram"}),
    ("Wer leitet das Sahel-Programm der Konrad-Adenauer-Stiftung?",
     {"003_1c59dd173ef6f39b.txt": "Ulf Laessing"}),
])
def test_a_question_in_another_language_quotes_the_english_passage(e5_pipeline, question, sources) -> None:
    answer = e5_pipeline.ask(question)
    assert not answer.abstained and answer.notice == SOURCES_IN_ENGLISH
    cited = answer.citations[0]
    phrase = sources[cited.doc_id]
    quoted = " ".join(cited.text[s:e] for s, e in cited.highlights)
    assert phrase in quoted and " ".join(quoted.split()) in answer.answer  # verbatim, in English


def test_what_the_corpus_lacks_still_abstains_in_another_language(e5_pipeline) -> None:
    answer = e5_pipeline.ask("Wie repariere ich einen platten Fahrradreifen?")
    assert answer.abstained and answer.answer == ABSTAIN and answer.citations == []


def test_english_questions_are_answered_as_before_with_e5(e5_pipeline) -> None:
    answer = e5_pipeline.ask("Who was sanctioned by the US Treasury?")
    assert "Sadio Camara" in answer.answer and answer.notice == ""


def test_minilm_still_asks_for_english(tmp_path) -> None:
    pipeline = Pipeline(Settings(index_dir=tmp_path / "index", _env_file=None), embed_model=MiniLMEmbedding())
    pipeline.ingest(SEED_CORPUS)
    answer = pipeline.ask("Quand le groupe Wagner s'est-il déployé au Mali ?")
    assert answer.abstained and answer.answer == f"{ABSTAIN} {OTHER_LANGUAGE}"
