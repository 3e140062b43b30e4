"""What changed and who agrees: change questions, disagreeing dated sources, and source
counts that count wire copy once; the changes corpus through the real embedder and Chroma."""

import json

import pytest

from rag.answer.over_time import asks_change, with_support_counts
from rag.app.cli.main import main
from rag.embed.minilm import MiniLMEmbedding
from rag.eval.cases import load_cases
from rag.eval.run import run_cases
from rag.eval.score import summarize
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.samples import ROOT

CHANGES = ROOT / "evals" / "corpora" / "changes"
CASES = load_cases([ROOT / "evals" / "changes.jsonl"])


def test_change_questions_are_recognised() -> None:
    assert all(asks_change(q) for q in [
        "How did Russia's role change between 2022 and 2025?", "How has the price changed?",
        "What changed in Mali?", "Who has run security since the coup?"])
    assert not any(asks_change(q) for q in ["When did Wagner deploy?", "How many troops are there?"])
    assert with_support_counts("A [1] B [2] C [3]", {1: 1, 2: 3}) == "A [1] (1 source) B [2] (3 sources) C [3]"


@pytest.fixture(scope="module")
def changes(tmp_path_factory) -> Pipeline:
    settings = Settings(index_dir=tmp_path_factory.mktemp("changes") / "index", _env_file=None)
    pipeline = Pipeline(settings, embed_model=MiniLMEmbedding())
    assert not pipeline.ingest(CHANGES).errors
    return pipeline


@pytest.mark.integration
def test_change_and_disagreement_cases_pass(changes: Pipeline) -> None:
    results = run_cases(changes, CASES, show_progress=False)
    assert summarize(CASES, results)["pass_rate"] == 1.0, [r.id for r in results if not r.passed]


@pytest.mark.integration
def test_change_answer_is_dated_statements_in_time_order(changes: Pipeline) -> None:
    answer = changes.ask("How did the Kidal water plant's daily output change between 2022 and 2025?")
    text = answer.answer
    assert text.startswith("14 March 2022: The Kidal water treatment plant produces 4,000")
    assert text.index("4,000") < text.index("8 May 2024: ") < text.index("6,500") < text.index("9,000")
    assert text.count("6,500") == 1  # the wire story and its republished copy: quoted once
    assert [c.n for c in answer.citations] == [1, 2, 3] and all(c.highlights for c in answer.citations)
    # The copy holds the same sentence but is the same article: one source, not two.
    assert answer.support[2] == 1


@pytest.mark.integration
def test_disagreeing_sources_are_both_shown_with_dates(changes: Pipeline) -> None:
    answer = changes.ask("How much drinking water does the Kidal treatment plant produce a day?")
    assert "Sources of different dates disagree: " in answer.answer
    dates = {c.metadata["published_at"] for c in answer.citations}
    assert len(dates) == 2
    assert sum(figure in answer.answer for figure in ("4,000", "6,500", "9,000")) >= 2


@pytest.mark.integration
def test_cli_shows_source_counts(changes: Pipeline, capsys) -> None:
    index = str(changes.settings.index_dir)
    assert main(["ask", "How has the electricity supply of homes in Gao changed?", "--index", index]) == 0
    out = capsys.readouterr().out
    assert "10 February 2021: Homes in Gao" in out and "[1] (1 source)" in out
    assert main(["ask", "How many hours of electricity do homes in Gao get now?", "--index", index,
                 "--as-of", "2023-12-31"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("As of 31 December 2023: ") and "21 hours" not in out
    assert "2023-06-21 · Bamako Economic Daily (synthetic) · 6 months old" in out
    assert main(["search", "Gao electricity", "--index", index, "--as-of", "2022-01-01", "--json"]) == 0
    assert "gao-power-2023" not in capsys.readouterr().out
    assert main(["ask", "Gao?", "--index", index, "--as-of", "later"]) == 2
    assert "as of: 'later' is not a date" in capsys.readouterr().err


@pytest.mark.integration
def test_eval_as_of_applies_to_cases_without_one(changes: Pipeline, tmp_path, capsys) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "gao-then", "question": "How many hours of electricity do homes in Gao '
                     'receive a day now?", "facts": [["12 hours"]], "sources": ["gao-power-2021"]}\n')
    out = tmp_path / "out.json"
    assert main(["eval", str(cases), "--index", str(changes.settings.index_dir), "--as-of", "2022-01-01",
                 "--json", str(out)]) == 0
    assert json.loads(out.read_text())["pass_rate"] == 1.0
    assert main(["eval", str(cases), "--index", str(changes.settings.index_dir), "--as-of", "x"]) == 2
