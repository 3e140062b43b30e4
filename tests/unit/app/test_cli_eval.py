"""`rag eval` when one case's question raises (case 14: one of 348 questions ended the run with
`rag: (63, 257) is not in list`, and 347 answers gave no report): a real index (fake
embedder), the one question made to raise as it did."""

import json
from pathlib import Path

from rag.app.cli.main import main
from rag.pipeline import Pipeline

CASES = [
    {"id": "wagner", "question": "When did Wagner deploy to Mali?", "facts": [["2021"]]},
    {"id": "broken", "question": "Which force stayed after Wagner left?", "facts": [["Africa Corps"]]},
    {"id": "cup", "question": "Who won the 2022 World Cup?", "abstain": True},
]


def test_a_case_that_raises_is_reported_failed_and_the_run_goes_on(settings, fake_embedder, monkeypatch,
                                                                  capsys, tmp_path: Path) -> None:
    Pipeline(settings, fake_embedder).ingest()
    monkeypatch.setattr("rag.pipeline.default_embedder", lambda s: fake_embedder)
    monkeypatch.setattr("rag.pipeline.sentence_embedder", lambda s, model: fake_embedder)
    monkeypatch.setenv("RAG_ANSWER__READER__ENABLED", "false")
    asked = Pipeline.ask

    def ask(self, question, *args, **kwargs):
        if question == CASES[1]["question"]:
            raise ValueError("(63, 257) is not in list")  # what the quote lookup raised
        return asked(self, question, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "ask", ask)
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(case) + "\n" for case in CASES))
    code = main(["eval", str(cases), "--index", str(settings.index_dir), "--json", str(tmp_path / "r.json"),
                 "--report", str(tmp_path / "report")])
    assert code == 0
    err = capsys.readouterr().err
    assert "rag eval: ours: case broken failed: ValueError: (63, 257) is not in list" in err
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["cases"] == 3 and result["errors"] == 1
    assert [(r["id"], r["error"]) for r in result["results"]] == [
        ("wagner", None), ("broken", "ValueError: (63, 257) is not in list"), ("cup", None)]
    assert "error: ValueError: (63, 257) is not in list" in (tmp_path / "report" / "report.md").read_text()
