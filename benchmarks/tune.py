"""Tune retrieval fusion and extractive answering on eval cases, from one cached pass.

    .venv/bin/python benchmarks/tune.py evals/seed.jsonl:index ../shared/bench/squad2/dev.jsonl:index/squad2
    .venv/bin/python benchmarks/tune.py --cached   # the same features, searched again

Each argument is CASES:INDEX (the corpus already ingested there). Retrieval
candidates and sentence features are computed once per case; fusion weights,
sentence weights, the near-miss rule (`missing`), the abstention threshold and the
answer length are then searched over the cache.
Prints the best settings per dataset and for all datasets together (the one that
goes into rag/settings.py and rag/answer/extractive.py).
"""

import itertools
import pickle
import sys
from dataclasses import replace
from pathlib import Path

from llama_index.core.schema import NodeWithScore, QueryBundle
from tqdm import tqdm

from rag.answer.extractive import WEIGHTS, Candidate, Weights, annotate, decide
from rag.condense import condense
from rag.eval.cases import Case, load_cases
from rag.eval.score import CaseResult, score_case, summarize
from rag.filters import Filters
from rag.lexical import refresh_lexical
from rag.pipeline import Pipeline
from rag.retrieve import CANDIDATES, fuse
from rag.settings import Settings
from rag.store import Store

CACHE = "/tmp/rag-tune-cache.pkl"
DENSE_WEIGHTS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]


def collect(cases_file: str, index: str) -> list[dict]:
    pipeline = Pipeline(Settings(index_dir=Path(index)))
    rows = []
    for case in tqdm(load_cases([Path(cases_file)]), desc=cases_file, unit="case"):
        question = condense(case.question, case.history)
        rankings = pipeline.retriever.rankings(QueryBundle(question), Filters())
        fused = fuse(rankings, pipeline.settings.dense_weight)
        top = sorted(fused, key=fused.get, reverse=True)[: pipeline.settings.top_k]
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
            candidate.score = weights.score(candidate)
        ranked = sorted(row["candidates"], key=lambda c: c.score, reverse=True)
        results.append(result(row["case"], decide(ranked, weights, threshold, sentences)))
    summary = summarize([row["case"] for row in rows], results)
    return {k: summary[k] for k in ("pass_rate", "fact_accuracy", "citation_precision", "abstain_f1",
                                    "abstain_precision", "abstain_recall")}


# Weights fields, plus the abstention threshold and how many sentences an answer may quote.
GRID = {"missing": [0, 1], "whole": [0.7, 0.8, 0.9, 0.999, 1.1], "typed": [0.0],
        "margin": [0.2, 0.35], "threshold": [0.57], "sentences": [2, 3]}


def search(datasets: dict[str, list[dict]]) -> None:
    """Every grid point's metrics per dataset; the best by mean pass rate first."""
    found = []
    for values in tqdm(list(itertools.product(*GRID.values())), desc="grid"):
        point = dict(zip(GRID, values))
        weights = replace(WEIGHTS, **{k: v for k, v in point.items() if hasattr(WEIGHTS, k)})
        metrics = {name: evaluate(rows, weights, point["threshold"], point["sentences"])
                   for name, rows in datasets.items()}
        mean = sum(m["pass_rate"] for m in metrics.values()) / len(metrics)
        found.append((mean, point, metrics))
    found.sort(key=lambda f: f[0], reverse=True)
    for mean, point, metrics in found[:15]:
        print(f"mean pass {mean:.4f} {point}")
        for name, m in metrics.items():
            print(f"    {name}: {m}")


def main() -> None:
    if sys.argv[1:] == ["--cached"]:  # search a changed grid without recomputing features
        with open(CACHE, "rb") as cached:
            datasets = pickle.load(cached)
        for rows in datasets.values():  # term features are cheap: take them from today's code
            settings = Settings(index_dir=Path(rows[0]["index"]))
            lexical = refresh_lexical(Store(settings), settings)
            for row in rows:
                annotate(row["question"], row["candidates"], lexical)
    else:
        datasets = {}
        for arg in sys.argv[1:]:
            cases_file, index = arg.rsplit(":", 1)
            datasets[Path(cases_file).stem] = collect(cases_file, index)
        with open(CACHE, "wb") as out:
            pickle.dump(datasets, out)
    for name, rows in datasets.items():
        print(f"\n{name}: retrieval over {CANDIDATES} candidates per ranking (hit@5, MRR)")
        print(f"  RRF(k=60): {retrieval(rows, None)}")
        for weight in DENSE_WEIGHTS:
            print(f"  dense_weight={weight}: {retrieval(rows, weight)}")
        settings = Settings()
        print(f"  current answering: "
              f"{evaluate(rows, WEIGHTS, settings.abstain_threshold, settings.answer_sentences)}")
    search(datasets)


if __name__ == "__main__":
    main()
