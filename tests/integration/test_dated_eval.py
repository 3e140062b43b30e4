"""The dated eval cases: documents that disagree by date, where the newer one is right."""


import pytest

from rag.embed.minilm import MiniLMEmbedding
from rag.eval.cases import load_cases
from rag.eval.run import run_cases
from rag.eval.score import summarize
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.samples import ROOT

pytestmark = pytest.mark.integration
CASES = load_cases([ROOT / "evals" / "dated.jsonl"])


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> Pipeline:
    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), _env_file=None)
    pipeline = Pipeline(settings, embed_model=MiniLMEmbedding())
    report = pipeline.ingest(ROOT / "evals" / "corpora" / "dated")
    assert not report.errors and len(report.added) == 8
    return pipeline


def test_dated_cases_pass(dated: Pipeline) -> None:
    results = run_cases(dated, CASES, show_progress=False)
    assert summarize(CASES, results)["pass_rate"] == 1.0, [r.id for r in results if not r.passed]


@pytest.mark.parametrize("case", [c for c in CASES if "recency" in c.tags], ids=lambda c: c.id)
def test_latest_questions_lead_with_the_newer_document(dated: Pipeline, case) -> None:
    answer = dated.ask(case.question)
    first = answer.citations[0]
    assert first.doc_id in case.sources
    lead = answer.answer.split(" [1]")[0].lower()
    assert any(alt.lower() in lead for alt in case.facts[0]), answer.answer
    assert first.metadata["published_at"] >= "2025-01-01" and first.metadata["source"]
