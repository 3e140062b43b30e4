"""The reader measured: alone on squad2 dev gold paragraphs, and end to end, with its settings
searched over cached readings.

    .venv/bin/python -m benchmarks.reader_eval alone ../shared/bench/squad2 --index index/squad2
    .venv/bin/python -m benchmarks.reader_eval tune evals/seed.jsonl:index \\
        ../shared/bench/squad2/dev.jsonl:index/squad2 [--reader DIR]

`alone` reads every sentence window of each question's paragraph and reports SQuAD 2.0
EM / F1 (an unanswerable question scores 1 when the reader abstains), has-answer F1 and
no-answer accuracy at several thresholds. `tune` runs the pipeline over the cases once per
setting, with the reader's outputs cached by (question, window), and prints the summary
metrics of each setting on each case file.
"""

import argparse
import collections
import itertools
import json
import re
import string
from pathlib import Path

from rag.text.sentences import sentence_spans
from rag.answer.reader.encode import window
from rag.answer.reader.model import READER_DIR, Reader

QUOTE = "rules"  # tune: which reader_quote the grid measures
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
    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.cache: dict = {}

    def read(self, question, windows):
        missing = [w for w in windows if (question, w) not in self.cache]
        if missing:
            self.cache.update(zip(((question, w) for w in missing), super().read(question, missing)))
        return [self.cache[(question, w)] for w in windows]


def tune(pairs: list[str], directory: Path) -> None:
    from rag.eval.cases import load_cases
    from rag.eval.run import run_cases
    from rag.eval.score import summarize
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    reader = CachedReader(directory)
    grid = list(itertools.product([6], [-6.0], [True], [2.0, 3.0, 4.0, 5.0, 6.0, 99.0]))
    for pair in pairs:
        cases_file, index = pair.split(":")
        cases = load_cases([Path(cases_file)])
        for windows, threshold, near_miss, rerank in grid:
            settings = Settings(index_dir=Path(index), answer__reader__enabled=windows is not None,
                                answer__reader__windows=windows or 6,
                                answer__reader__threshold=threshold or 0.0,
                                answer__reader__near_miss=bool(near_miss), answer__reader__quote=QUOTE,
                                answer__reader__rerank=rerank)
            pipeline = Pipeline(settings, create=False)
            pipeline.answerer.reader = reader
            summary = summarize(cases, run_cases(pipeline, cases, show_progress=False))
            keys = ("pass_rate", "fact_accuracy", "citation_precision", "abstain_f1", "latency_p50_ms",
                    "answer_words_median")
            print(json.dumps({"cases": cases_file, "windows": windows, "threshold": threshold,
                              "near_miss": near_miss, "rerank": rerank,
                              **{k: summary.get(k) for k in keys}}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["alone", "tune"])
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--reader", type=Path, default=READER_DIR)
    parser.add_argument("--index", type=Path, default=Path("index/squad2"), help="alone: the benchmark's index")
    args = parser.parse_args()
    if args.mode == "alone":
        print(json.dumps(alone(Path(args.targets[0]), Reader(args.reader), args.index), indent=1))
    else:
        tune(args.targets, args.reader)


if __name__ == "__main__":
    main()
