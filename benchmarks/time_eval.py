"""The "as of" cases three ways: as a time-blind system would ask them (no as-of date),
as of their date without the preference for the window the question names
(RAG_RETRIEVAL__TIME_BONUS=0), and as of their date with it. Prints hit@5 and pass rate of each:

    python -m benchmarks.time_eval [evals/weekly.jsonl] [--corpus evals/corpora/weekly]
"""

import argparse
import json
import tempfile
from pathlib import Path

from rag.eval.cases import load_cases
from rag.eval.run import run_cases
from rag.eval.score import summarize
from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", nargs="?", default=str(ROOT / "evals" / "weekly.jsonl"))
    parser.add_argument("--corpus", default=str(ROOT / "evals" / "corpora" / "weekly"))
    args = parser.parse_args()
    cases = load_cases([Path(args.cases)])
    with tempfile.TemporaryDirectory() as index:
        pipeline = Pipeline(Settings(index_dir=Path(index), _env_file=None))
        pipeline.ingest(Path(args.corpus))
        bonus = pipeline.settings.retrieval.time_bonus
        runs = {
            "no as-of date": ([c.model_copy(update={"as_of": None}) for c in cases], bonus),
            "as of, no time preference": (cases, 0.0),
            "as of, with time preference": (cases, bonus),
        }
        rows = {}
        for label, (asked, weight) in runs.items():
            weighed = Pipeline(pipeline.settings.changed(retrieval__time_bonus=weight),
                               embed_model=pipeline.embed_model, create=False)
            results = run_cases(weighed, asked, label, show_progress=False)
            summary = summarize(asked, results)
            expected = {c.id: set(c.sources) for c in asked}
            rows[label] = {
                **{k: summary[k] for k in ("cases", "hit_at_5", "mrr", "pass_rate")},
                "hit_at_1": _share([r.retrieved[0] in expected[r.id] for r in results if r.retrieved]),
                # Passed, and the answer's first [n] is the right week's brief (the answer may
                # quote other weeks after it): what a reader takes away.
                "pass_lead": _share([r.passed and bool(r.cited) and r.cited[0] in expected[r.id]
                                     for r in results]),
            }
    print(json.dumps(rows, indent=2))


def _share(hits: list[bool]) -> float:
    return round(sum(hits) / len(hits), 4) if hits else 0.0


if __name__ == "__main__":
    main()
