"""Tune retrieval fusion and extractive answering on eval cases, from one cached pass.

    .venv/bin/python benchmarks/tune.py evals/seed.jsonl:index ../shared/bench/squad2/dev.jsonl:index/squad2
    .venv/bin/python benchmarks/tune.py --cached   # the same features, searched again
    ... --write-preset NAME   # and store the best point as rag/presets/NAME.json

Each argument is CASES:INDEX (the corpus already ingested there). Retrieval
candidates and sentence features are computed once per case; fusion weights,
sentence weights, the near-miss rule (`missing`), the abstention threshold and the
answer length are then searched over the cache.
Prints the best settings per dataset and for all datasets together; `--write-preset`
stores that one as a preset (`RAG_PRESET=NAME` to use it; copy it over
rag/presets/default.json to ship it), never as values edited into code.
"""

import argparse
import itertools
import pickle
from pathlib import Path

from llama_index.core.schema import NodeWithScore, QueryBundle
from tqdm import tqdm

from rag.answer.candidates import Candidate, decide, sentence_score
from rag.answer.extractive import annotate
from rag.retrieve.condense import condense
from rag.eval.cases import Case, load_cases
from rag.eval.score import CaseResult, score_case, summarize
from rag.retrieve.filters import Filters
from rag.index.lexical import refresh_lexical
from rag.pipeline import Pipeline
from rag.retrieve.retriever import fuse
from rag.settings import Settings, Weights, write_preset
from rag.index.store import Store

CACHE = "/tmp/rag-tune-cache.pkl"
DENSE_WEIGHTS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]


def collect(cases_file: str, index: str) -> list[dict]:
    pipeline = Pipeline(Settings(index_dir=Path(index)))
    rows = []
    for case in tqdm(load_cases([Path(cases_file)]), desc=cases_file, unit="case"):
        question = condense(case.question, case.history)
        rankings = pipeline.retriever.rankings(QueryBundle(question), Filters())
        fused = fuse(rankings, pipeline.settings.retrieval.dense_weight)
        top = sorted(fused, key=fused.get, reverse=True)[: pipeline.settings.retrieval.top_k]
        nodes = {**rankings.nodes, **{n.node_id: n for n in pipeline.store.nodes(
            [i for i in top if i not in rankings.nodes])}}
        passages = [NodeWithScore(node=nodes[i], score=fused[i]) for i in top]
        rows.append({"case": case, "rankings": rankings, "question": question, "index": index,
                     "candidates": pipeline.answerer.score(question, passages)})
    return rows


def doc_of(chunk_id: str) -> str:
    return chunk_id.split("::")[0]


def retrieval(rows: list[dict], weight: float | None, k: int = 5) -> tuple[float, float]:
    """hit@5 and MRR of the expected doc among the top-k fused chunks; weight None = RRF."""
    hits = rr = n = 0
    for row in rows:
        case, r = row["case"], row["rankings"]
        if case.abstain or not case.sources:
            continue
        if weight is None:
            scores: dict[str, float] = {}
            for ranking in (sorted(r.cosines, key=r.cosines.get, reverse=True),
                            sorted(r.bm25, key=r.bm25.get, reverse=True)):
                for rank, chunk_id in enumerate(ranking):
                    scores[chunk_id] = scores.get(chunk_id, 0) + 1 / (61 + rank)
        else:
            scores = fuse(r, weight)
        docs = list(dict.fromkeys(doc_of(i) for i in sorted(scores, key=scores.get, reverse=True)[:k]))
        n += 1
        ranks = [docs.index(s) for s in case.sources if s in docs]
        hits += bool(ranks)
        rr += 1 / (min(ranks) + 1) if ranks else 0
    return hits / n, rr / n


def result(case: Case, chosen: list[Candidate]) -> CaseResult:
    return score_case(case, answer=" ".join(c.text for c in chosen), abstained=not chosen,
                      cited=[c.passage.node.metadata["doc_id"] for c in chosen], retrieved=[],
                      latency_ms=0)


def evaluate(rows: list[dict], weights: Weights, threshold: float, sentences: int) -> dict:
    """The eval metrics the answer layer alone would reach over the cached candidates."""
    results = []
    for row in rows:
        for candidate in row["candidates"]:
            candidate.score = sentence_score(weights, candidate)
        ranked = sorted(row["candidates"], key=lambda c: c.score, reverse=True)
        results.append(result(row["case"], decide(ranked, weights, threshold, sentences)))
    summary = summarize([row["case"] for row in rows], results)
    return {k: summary[k] for k in ("pass_rate", "fact_accuracy", "citation_precision", "abstain_f1",
                                    "abstain_precision", "abstain_recall")}


# Weights fields, plus the abstention threshold and how many sentences an answer may quote.
GRID = {"missing": [0, 1], "whole": [0.7, 0.8, 0.9, 0.999, 1.1], "typed": [0.0],
        "margin": [0.2, 0.35], "threshold": [0.57], "sentences": [2, 3]}


def search(datasets: dict[str, list[dict]], weights: Weights) -> dict:
    """Every grid point's metrics per dataset, the best by mean pass rate first; returns the best."""
    found = []
    for values in tqdm(list(itertools.product(*GRID.values())), desc="grid"):
        point = dict(zip(GRID, values))
        tried = weights.model_copy(update={k: v for k, v in point.items() if k in Weights.model_fields})
        metrics = {name: evaluate(rows, tried, point["threshold"], point["sentences"])
                   for name, rows in datasets.items()}
        mean = sum(m["pass_rate"] for m in metrics.values()) / len(metrics)
        found.append((mean, point, metrics))
    found.sort(key=lambda f: f[0], reverse=True)
    for mean, point, metrics in found[:15]:
        print(f"mean pass {mean:.4f} {point}")
        for name, m in metrics.items():
            print(f"    {name}: {m}")
    return found[0][1]


def best_dense_weight(datasets: dict[str, list[dict]]) -> float:
    """The fusion weight with the best mean hit@5 (then MRR) over the datasets."""
    return max(DENSE_WEIGHTS, key=lambda w: tuple(
        sum(retrieval(rows, w)[i] for rows in datasets.values()) for i in (0, 1)))


def as_preset(point: dict, dense_weight: float) -> dict:
    """A grid point in the settings' nesting (rag/settings.py)."""
    weights = {k: v for k, v in point.items() if k in Weights.model_fields}
    return {"retrieval": {"dense_weight": dense_weight},
            "answer": {"abstain_threshold": point["threshold"], "sentences": point["sentences"],
                       "weights": weights}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", help="CASES:INDEX pairs")
    parser.add_argument("--cached", action="store_true", help="search the features cached by a last run")
    parser.add_argument("--write-preset", metavar="NAME", help="store the best point as rag/presets/NAME.json")
    args = parser.parse_args()
    if args.cached:  # search a changed grid without recomputing features
        with open(CACHE, "rb") as cached:
            datasets = pickle.load(cached)
        for rows in datasets.values():  # term features are cheap: take them from today's code
            settings = Settings(index_dir=Path(rows[0]["index"]))
            lexical = refresh_lexical(Store(settings), settings)
            for row in rows:
                annotate(row["question"], row["candidates"], lexical)
    else:
        datasets = {}
        for arg in args.datasets:
            cases_file, index = arg.rsplit(":", 1)
            datasets[Path(cases_file).stem] = collect(cases_file, index)
        with open(CACHE, "wb") as out:
            pickle.dump(datasets, out)
    settings = Settings()
    for name, rows in datasets.items():
        print(f"\n{name}: retrieval over {settings.retrieval.candidates} candidates per ranking (hit@5, MRR)")
        print(f"  RRF(k=60): {retrieval(rows, None)}")
        for weight in DENSE_WEIGHTS:
            print(f"  retrieval__dense_weight={weight}: {retrieval(rows, weight)}")
        current = evaluate(rows, settings.answer.weights, settings.answer.abstain_threshold,
                           settings.answer.sentences)
        print(f"  current answering: {current}")
    best = search(datasets, settings.answer.weights)
    if args.write_preset:
        print(f"wrote {write_preset(args.write_preset, as_preset(best, best_dense_weight(datasets)))}")


if __name__ == "__main__":
    main()
