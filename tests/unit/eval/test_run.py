"""The eval runner, report and baseline diff on hand-made results (the CI gate on the seed
cases is tests/integration/test_seed_eval_gate.py)."""

from pathlib import Path

from rag.answer import Answer, Citation
from rag.eval.cases import Case
from rag.eval.report import write_report
from rag.eval.run import changes, run_cases
from rag.eval.score import summarize


class Scripted:
    """Answers from a script: question -> (answer text, cited doc ids)."""

    def __init__(self, script: dict[str, tuple[str, list[str]]]) -> None:
        self.script, self.seen = script, []

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        self.seen.append((question, history))
        text, cited = self.script[question]
        citations = [Citation(n=i + 1, doc_id=d, title="", text=text, start=0, end=len(text))
                     for i, d in enumerate(cited)]
        return Answer(question=question, answer=text, abstained=not cited, citations=citations,
                      retrieved=cited, latency_ms=5.0)


CASES = [
    Case(id="c1", question="When?", facts=[["2021"]], sources=["a.txt"], tags=["date"]),
    Case(id="c2", question="Who?", history=["Earlier?"], facts=[["Camara"]], sources=["b.txt"]),
    Case(id="c3", question="Weather?", abstain=True, tags=["off-topic"]),
]


def test_run_cases_passes_history_and_scores() -> None:
    pipeline = Scripted({"When?": ("In 2021. [1]", ["a.txt"]), "Who?": ("Nobody. [1]", ["b.txt"]),
                         "Weather?": ("I could not find this in the corpus.", [])})
    results = run_cases(pipeline, CASES, show_progress=False)
    assert [r.passed for r in results] == [True, False, True]
    assert pipeline.seen[1] == ("Who?", ["Earlier?"])
    summary = summarize(CASES, results)
    assert summary["pass_rate"] == round(2 / 3, 4) and summary["abstain_recall"] == 1.0


def test_changes_and_report(tmp_path: Path) -> None:
    pipeline = Scripted({"When?": ("Unknown. [1]", ["a.txt"]), "Who?": ("Camara. [1]", ["b.txt"]),
                         "Weather?": ("I could not find this in the corpus.", [])})
    results = run_cases(pipeline, CASES, show_progress=False)
    before = [{"id": "c1", "passed": True}, {"id": "c2", "passed": False}, {"id": "c3", "passed": True}]
    diff = changes(before, results)
    assert diff == {"broke": ["c1"], "fixed": ["c2"]}
    summaries = {"ours": summarize(CASES, results), "baseline": summarize(CASES, results)}
    report = write_report(tmp_path, "rag eval x", summaries, {"ours": results}, diff)
    text = report.read_text()
    assert "| pass_rate |" in text and "**Broke** (pass → fail): c1" in text and "c2" in text
    assert (tmp_path / "pass_rate_by_tag.png").stat().st_size > 1000
    assert (tmp_path / "latency.png").stat().st_size > 1000


def test_one_case_that_raises_is_a_failed_case_with_its_message_not_the_end_of_the_run(
        tmp_path: Path) -> None:
    # Case 14: one question of 348 raised "(63, 257) is not in list" and no report came.
    class Raising(Scripted):
        def ask(self, question: str, history: list[str] | None = None) -> Answer:
            if question == "Who?":
                raise ValueError("(63, 257) is not in list")
            return super().ask(question, history)

    pipeline = Raising({"When?": ("In 2021. [1]", ["a.txt"]),
                        "Weather?": ("I could not find this in the corpus.", [])})
    results = run_cases(pipeline, CASES, show_progress=False)
    assert [r.passed for r in results] == [True, False, True]
    assert results[1].error == "ValueError: (63, 257) is not in list" and results[1].answer == ""
    assert [r.error for r in (results[0], results[2])] == [None, None]
    summary = summarize(CASES, results)
    assert summary["errors"] == 1 and summary["cases"] == 3
    text = write_report(tmp_path, "rag eval x", {"ours": summary}, {"ours": results}, None).read_text()
    assert "| c2 | Who? | error: ValueError: (63, 257) is not in list |" in text
