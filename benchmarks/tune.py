"""Tune retrieval fusion and extractive answering on eval cases, from one cached pass.

    .venv/bin/python benchmarks/tune.py evals/seed.jsonl:index ../shared/bench/squad2/dev.jsonl:index/squad2

Each argument is CASES:INDEX (the corpus already ingested there). Retrieval
candidates and sentence features are computed once per case; fusion weights,
sentence weights and the abstention threshold are then searched over the cache.
Prints the best settings per dataset and for all datasets together (the one that
goes into rag/settings.py and rag/answer/extractive.py).
"""

import itertools
import pickle
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from llama_index.core.schema import NodeWithScore, QueryBundle
from tqdm import tqdm

from rag.answer.extractive import WEIGHTS, Candidate, choose
from rag.condense import condense
from rag.eval.cases import Case, load_cases
from rag.eval.score import score_case
from rag.pipeline import Pipeline
from rag.retrieve import CANDIDATES, fuse
from rag.settings import Settings

DENSE_WEIGHTS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]


def collect(cases_file: str, index: str) -> list[dict]:
    pipeline = Pipeline(Settings(index_dir=Path(index)))
    rows = []
    for case in tqdm(load_cases([Path(cases_file)]), desc=cases_file, unit="case"):
        question = condense(case.question, case.history)
        rankings = pipeline.retriever.rankings(QueryBundle(question))
        fused = fuse(rankings, pipeline.settings.dense_weight)
        top = sorted(fused, key=fused.get, reverse=True)[: pipeline.settings.top_k]
        nodes = {**rankings.nodes, **{n.node_id: n for n in pipeline.store.nodes(
            [i for i in top if i not in rankings.nodes])}}
        passages = [NodeWithScore(node=nodes[i], score=fused[i]) for i in top]
        rows.append({"case": case, "rankings": rankings, "question": question,
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


def answer_ok(case: Case, chosen: list[Candidate]) -> bool:
    """Would these sentences pass the case, if the system answered at all?"""
    result = score_case(case, answer=" ".join(c.text for c in chosen), abstained=False,
                        cited=[c.passage.node.metadata["doc_id"] for c in chosen], retrieved=[],
                        latency_ms=0)
    return result.passed


def outcomes(rows: list[dict], weights, sentences: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per case: best sentence score, whether answering passes, whether it should abstain."""
    best, ok, abstain = [], [], []
    for row in rows:
        for candidate in row["candidates"]:
            candidate.score = weights.score(candidate)
        ranked = sorted(row["candidates"], key=lambda c: c.score, reverse=True)
        top = ranked[0].score if ranked else -1.0
        chosen = choose(ranked, weights, sentences) if ranked else []
        best.append(top)
        ok.append(not row["case"].abstain and answer_ok(row["case"], chosen))
        abstain.append(row["case"].abstain)
    return np.array(best), np.array(ok), np.array(abstain)


THRESHOLDS = np.arange(0.20, 0.90, 0.01)


def pass_rates(best: np.ndarray, ok: np.ndarray, abstain: np.ndarray) -> np.ndarray:
    """Pass rate at every threshold: abstain cases pass below it, answerable ones above it."""
    below = best[None, :] < THRESHOLDS[:, None]
    return ((below & abstain) | (~below & ok)).mean(axis=1)


def search(datasets: dict[str, list[dict]]) -> None:
    grid = list(itertools.product([0.2, 0.3, 0.4, 0.5], [0.05, 0.1, 0.2, 0.3],
                                  [0.15, 0.25, 0.35, 0.5], [0.0, 0.4, 0.8, 1.5], [2, 3]))
    best: dict[str, tuple] = {}
    for overlap, rank, margin, coverage, sentences in tqdm(grid, desc="grid"):
        weights = replace(WEIGHTS, cosine=1 - overlap, overlap=overlap, rank=rank,
                          margin=margin, coverage=coverage)
        rates = {name: pass_rates(*outcomes(rows, weights, sentences)) for name, rows in datasets.items()}
        rates["mean"] = sum(rates.values()) / len(datasets)
        for name, curve in rates.items():
            i = int(curve.argmax())
            if name not in best or curve[i] > best[name][0]:
                best[name] = (curve[i], weights, round(float(THRESHOLDS[i]), 2), sentences,
                              {n: round(float(c[i]), 4) for n, c in rates.items()})
    for name, (rate, weights, threshold, sentences, all_rates) in best.items():
        print(f"best for {name}: pass {rate:.4f} {weights} threshold={threshold} "
              f"sentences={sentences} -> {all_rates}")


def main() -> None:
    datasets = {}
    for arg in sys.argv[1:]:
        cases_file, index = arg.rsplit(":", 1)
        datasets[Path(cases_file).stem] = collect(cases_file, index)
    # The cache lets a changed grid be searched again without recomputing features.
    with open("/tmp/rag-tune-cache.pkl", "wb") as out:
        pickle.dump(datasets, out)
    for name, rows in datasets.items():
        print(f"\n{name}: retrieval over {CANDIDATES} candidates per ranking (hit@5, MRR)")
        print(f"  RRF(k=60): {retrieval(rows, None)}")
        for weight in DENSE_WEIGHTS:
            print(f"  dense_weight={weight}: {retrieval(rows, weight)}")
        curve = pass_rates(*outcomes(rows, WEIGHTS, Settings().answer_sentences))
        now = int(np.searchsorted(THRESHOLDS, Settings().abstain_threshold))
        print(f"  current answering: pass {curve[now]:.4f} (best threshold "
              f"{THRESHOLDS[curve.argmax()]:.2f}: {curve.max():.4f})")
    search(datasets)


if __name__ == "__main__":
    main()
