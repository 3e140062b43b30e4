"""The reader measured: alone on squad2 dev gold paragraphs, and end to end, with its settings
searched over cached readings.

    .venv/bin/python -m benchmarks.reader_eval alone ../shared/bench/squad2 --index index/squad2
    .venv/bin/python -m benchmarks.reader_eval tune evals/seed.jsonl:index/seed \\
        ../shared/bench/squad2/dev.jsonl:index/squad2 [--reader DIR] [--grid full] [--write-preset default]
    .venv/bin/python -m benchmarks.reader_eval latency evals/seed.jsonl:index/seed

`alone` reads every sentence window of each question's paragraph and reports SQuAD 2.0
EM / F1 (an unanswerable question scores 1 when the reader abstains), has-answer F1 and
no-answer accuracy at several thresholds. `tune` runs the pipeline over the cases once per
setting of `answer.reader` (`grid`), with retrieval, sentence scores and the reader's spans
cached, prints the summary metrics of each setting on each case file (one JSON line each)
and the best point (mean pass rate over the files, then mean abstain F1);
`--write-preset NAME` merges that point into `rag/presets/NAME.json` (`default`: the shipped
preset). With a new model: `--reader DIR`, or copy it over models/reader first. `latency`
times whole answers with the reader off and with its windows read in one call or in two.
"""

import argparse
import collections
import json
import re
import string
from pathlib import Path

from rag.text.sentences import sentence_spans
from rag.answer.reader.encode import window
from rag.answer.reader.model import READER_DIR, Reader

THRESHOLDS = [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0]


def _normalize(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def _f1(prediction: str, gold: str) -> float:
    p, g = _normalize(prediction).split(), _normalize(gold).split()
    common = sum((collections.Counter(p) & collections.Counter(g)).values())
    if not p or not g:
        return float(p == g)
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def alone(bench: Path, reader: Reader, index: Path) -> dict:
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    paragraphs = {d["id"]: d["text"] for d in map(json.loads, (bench / "corpus.jsonl").open())}
    search = Pipeline(Settings(index_dir=index, answer__reader__enabled=False), create=False).search
    rows = []
    for case in map(json.loads, (bench / "dev.jsonl").open()):
        # An unanswerable case names no paragraph: it is read against the one retrieval puts
        # first (the same subject, by construction of the benchmark).
        text = (paragraphs[case["sources"][0]] if case.get("sources")
                else paragraphs[search(case["question"], 1)[0].node.metadata["doc_id"]])
        spans = sentence_spans(text)
        windows = list(dict.fromkeys(text[slice(*window(spans, i))] for i in range(len(spans))))
        best = max((s for s in reader.read(case["question"], windows) if s), key=lambda s: s.margin)
        golds = [] if case.get("abstain") else [a for group in case["facts"] for a in group]
        rows.append((best, golds))
    report = {}
    for threshold in THRESHOLDS:
        em = f1 = has_f1 = no_right = has = 0.0
        for best, golds in rows:
            answered = best.margin >= threshold
            if not golds:
                no_right += not answered
                em += not answered
                f1 += not answered
                continue
            has += 1
            score_f1 = max(_f1(best.text, g) for g in golds) if answered else 0.0
            em += answered and max(_normalize(best.text) == _normalize(g) for g in golds)
            f1 += score_f1
            has_f1 += score_f1
        n, no = len(rows), len(rows) - has
        report[threshold] = {"EM": round(100 * em / n, 1), "F1": round(100 * f1 / n, 1),
                             "HasAns_F1": round(100 * has_f1 / has, 1), "NoAns_acc": round(100 * no_right / no, 1)}
    # Best possible span F1 on answerable questions, whatever the threshold.
    report["HasAns_F1_no_threshold"] = round(100 * sum(max(_f1(b.text, g) for g in golds)
                                                   for b, golds in rows if golds) / has, 1)
    return report


class CachedReader(Reader):
    """The reader with its spans remembered by (question, window): a grid reads each once."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.cache: dict = {}

    def spans(self, question, windows, count=3):
        missing = [w for w in windows if (question, w, count) not in self.cache]
        if missing:
            found = super().spans(question, missing, count)
            self.cache.update(zip(((question, w, count) for w in missing), found))
        return [self.cache[(question, w, count)] for w in windows]


# The reader's settings the grid searches (rag/presets/default.json, answer.reader); each
# point lays these over the default preset. `quick` varies one thing at a time around it.
THRESHOLD_GRID = [-6.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
LEAD_GRID = [-99.0, 0.0, 2.0, 4.0, 6.0]


def grid(kind: str) -> list[dict]:
    points: list[dict] = [{"quote": "rules", "typed": False, "two_part": "span", "floor": True, "near_miss": True,
                           "threshold": -6.0, "prior": 0.0, "spans": 1, "first": 6}]  # the first reader
    if kind == "speed":  # how many windows are read, and when the reading stops
        return points + [{"first": f, "decisive": d} for f in (1, 2, 3, 6) for d in (2.0, 4.0, 6.0, 99.0)] + \
            [{"windows": w, "first": w} for w in (3, 4, 5)]
    points += [{"threshold": t} for t in THRESHOLD_GRID]
    points += [{"lead": lead, "unsure": unsure} for lead in LEAD_GRID for unsure in ("rules", "sentence", "both")]
    points += [{"prior": p} for p in (0.0, 5.0, 10.0, 20.0)]
    points += [{"near_miss": n, "floor": f} for n, f in [(False, True), (True, False), (False, False)]]
    if kind == "full":
        points += [{"near_miss": n, "floor": f, "threshold": t} for n, f in [(False, True), (True, False),
                                                                             (False, False)]
                   for t in THRESHOLD_GRID]
        points += [{"lead": lead, "threshold": t} for lead in LEAD_GRID for t in THRESHOLD_GRID]
        points += [{"typed": False}, {"two_part": "span"}, {"spans": 1}, {"spans": 5},
                   {"neighbours": "untyped"}, {"neighbours": "never"}, {"windows": 4}, {"windows": 8}]
        points += [{"first": f, "decisive": d} for f in (1, 2, 3) for d in (2.0, 4.0, 6.0)]
    return points


def _typed_words(results) -> float | None:
    """Median answer length in words on who/which/when/how-many questions, answered ones."""
    from rag.answer.question import asked_type

    words = sorted(len(r.answer.split()) for r in results if not r.abstained and (
        asked_type(r.question) or re.match(r"\W*which\b", r.question, re.IGNORECASE)))
    return words[len(words) // 2] if words else None


def _memo(function):
    cache: dict = {}

    def remembered(*args):
        key = tuple(tuple((p.node.node_id, p.score) for p in a) if isinstance(a, list) else repr(a)
                    for a in args)
        if key not in cache:
            cache[key] = function(*args)
        return cache[key]
    return remembered


def tune(pairs: list[str], directory: Path, kind: str = "quick", write: str | None = None,
         only: list[dict] | None = None) -> None:
    """Every grid point on every case file, with retrieval, sentence scores and the reader's
    spans computed once; prints one JSON line a point and file, then the best point (the
    best mean pass rate over the files, then mean abstain F1), which `write` stores."""
    from rag.eval.cases import load_cases
    from rag.eval.run import run_cases
    from rag.eval.score import summarize
    from rag.pipeline import Pipeline
    from rag.settings import PRESETS, Settings, write_preset

    reader = CachedReader(directory)
    keys = ("pass_rate", "fact_accuracy", "citation_precision", "abstain_f1", "answer_words_median")
    points = grid(kind)[:1] + only if only else grid(kind)
    scores: list[list[dict]] = [[] for _ in points]
    for pair in pairs:
        cases_file, index = pair.split(":")
        cases = load_cases([Path(cases_file)])
        base = Settings(index_dir=Path(index))
        pipeline = Pipeline(base, create=False)
        pipeline.search = _memo(pipeline.search)  # type: ignore[method-assign]
        answerer = pipeline.answerer
        answerer.reader = reader
        answerer.score = _memo(answerer.score)  # type: ignore[method-assign]
        for at, point in enumerate(points):
            answerer.settings = base.changed(**{f"answer__reader__{k}": v for k, v in point.items()})
            results = run_cases(pipeline, cases, show_progress=False)
            summary = summarize(cases, results)
            row = {k: summary.get(k) for k in keys} | {"typed_words_median": _typed_words(results)}
            scores[at].append(row)
            print(json.dumps({"cases": cases_file, **point, **row}), flush=True)
    def objective(at: int) -> tuple:
        rows = scores[at]
        return (round(sum(r["pass_rate"] for r in rows) / len(rows), 4),
                sum(r["abstain_f1"] or 0 for r in rows) / len(rows))
    best = max(range(1, len(points)), key=objective)  # points[0], the first reader, is for reference
    chosen = Settings().answer.reader.model_dump(exclude={"enabled", "dir"}) | points[best]
    print(json.dumps({"best": chosen, "pass_rate_mean": objective(best)[0],
                      "abstain_f1_mean": round(objective(best)[1], 4)}))
    if write:
        path = PRESETS / f"{write}.json"
        values = json.loads(path.read_text()) if path.is_file() else {}
        values.setdefault("answer", {})["reader"] = values.get("answer", {}).get("reader", {}) | chosen
        print(f"wrote {write_preset(write, values)}")


LATENCY_POINTS = [{"enabled": False}, {"first": 6, "decisive": 99.0}, {"first": 2, "decisive": 99.0},
                  {"first": 2, "decisive": 4.0}, {"first": 2, "decisive": 2.0}, {"first": 1, "decisive": 4.0}]


def latency(pair: str, directory: Path, repeats: int = 1) -> None:
    """Answer latency p50 / p95 (ms) over the case file, after one warm-up pass, with the
    reader off and with several ways of reading its windows (`first`, `decisive`)."""
    import statistics

    from rag.eval.cases import load_cases
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    cases_file, index = pair.split(":")
    cases = load_cases([Path(cases_file)])
    base = Settings(index_dir=Path(index))
    pipeline = Pipeline(base, create=False)
    pipeline.answerer.reader = Reader(directory)
    for case in cases:  # warm: sentence vectors cached, the model's shapes compiled
        pipeline.ask(case.question, case.history)
    for point in LATENCY_POINTS:
        pipeline.answerer.settings = base.changed(**{f"answer__reader__{k}": v for k, v in point.items()})
        reader = pipeline.answerer.reader
        if point.get("enabled") is False:
            pipeline.answerer.reader = None
        times = sorted(pipeline.ask(case.question, case.history).latency_ms
                       for _ in range(repeats) for case in cases)
        pipeline.answerer.reader = reader
        print(json.dumps({"cases": cases_file, **point, "p50_ms": statistics.median(times),
                          "p95_ms": times[int(0.95 * (len(times) - 1))]}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["alone", "tune", "latency"])
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--reader", type=Path, default=READER_DIR)
    parser.add_argument("--index", type=Path, default=Path("index/squad2"), help="alone: the benchmark's index")
    parser.add_argument("--grid", choices=["quick", "full", "speed"], default="quick",
                        help="tune: the thresholds and abstention rules, every reader setting, or "
                        "how many windows are read")
    parser.add_argument("--points", type=json.loads, metavar="JSON",
                        help='tune: these points instead of the grid, e.g. \'[{"lead": 2.0}, {"lead": 4.0}]\'')
    parser.add_argument("--write-preset", metavar="NAME",
                        help="tune: store the best point's answer.reader in rag/presets/NAME.json "
                        "(default: the default preset, merged)")
    args = parser.parse_args()
    if args.mode == "alone":
        print(json.dumps(alone(Path(args.targets[0]), Reader(args.reader), args.index), indent=1))
    elif args.mode == "latency":
        latency(args.targets[0], args.reader)
    else:
        tune(args.targets, args.reader, args.grid, args.write_preset, args.points)


if __name__ == "__main__":
    main()
