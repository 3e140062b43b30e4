"""Run eval cases through a pipeline and score them."""

import time
from typing import Protocol

from tqdm import tqdm

from rag.answer import Answer
from rag.eval.cases import Case
from rag.retrieve.filters import Filters
from rag.eval.score import CaseResult, errored_case, score_case
from rag.index.errors import IndexMissing, IndexUnavailable


class Asks(Protocol):
    def ask(self, question: str, history: list[str] | None = None, k: int | None = None,
            filters: Filters | None = None) -> Answer: ...


def run_cases(pipeline: Asks, cases: list[Case], label: str = "eval",
              show_progress: bool = True, as_of: str | None = None) -> list[CaseResult]:
    """`as_of`: the date for cases that give none (None: today, unfiltered). A case whose
    question raises is a failed case with the error's message: one bad case out of hundreds
    must not cost the report. An index that cannot be used fails every case alike, so it
    still ends the run."""
    results = []
    for case in tqdm(cases, desc=label, unit="case", disable=not show_progress):
        asked = case.as_of.isoformat() if case.as_of else as_of
        started = time.perf_counter()
        try:
            answer = (pipeline.ask(case.question, case.history, filters=Filters(as_of=asked)) if asked
                      else pipeline.ask(case.question, case.history))
        except (IndexUnavailable, IndexMissing):
            raise
        except Exception as error:  # noqa: BLE001 - any error of one case is that case's result
            results.append(errored_case(case, error, (time.perf_counter() - started) * 1000))
            continue
        results.append(score_case(
            case, answer=answer.answer, abstained=answer.abstained,
            cited=[c.doc_id for c in answer.citations], retrieved=answer.retrieved,
            latency_ms=answer.latency_ms,
            sentence_statuses=None if answer.backend == "extractive"
            else [s["status"] for s in answer.sentences],
            first_token_ms=answer.first_token_ms,
        ))
    return results


def changes(before: list[dict], after: list[CaseResult]) -> dict[str, list[str]]:
    """Case ids that went from pass to fail ("broke") and from fail to pass ("fixed")."""
    was = {r["id"]: r["passed"] for r in before}
    return {
        "broke": [r.id for r in after if was.get(r.id) is True and not r.passed],
        "fixed": [r.id for r in after if was.get(r.id) is False and r.passed],
    }

