"""MiniLM against e5 as the chunk embedder, in one run: retrieval, answers, ingest, latency.

    flock /tmp/rag-heavy.lock .venv/bin/python -m benchmarks.embedders [--out benchmarks/results/embedders.json]

For each embedder, from fresh indexes under --work:
  ingest      the squad2 corpus (1,376 paragraphs) and the seed corpus, timed; the chunk
              and sentence vectors' shares measured apart, and what e5 sentence vectors
              would cost instead of MiniLM's (on a sample of the sentences)
  retrieval   on squad2 dev's answerable cases: dense alone and fused with BM25 at several
              dense weights, hit@1/5/20 and MRR of the gold paragraph (candidates: 30 each)
  answers     `rag eval`'s pass rate (same code) on squad2 dev, the seed cases and the
              multilingual cases, at the default dense weight and at the embedder's best
  latency     p50/p95 of one search (question embedding, Chroma, BM25, fusion), warm
"""

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

from llama_index.core.schema import QueryBundle

from rag.embed.embedders import embedder
from rag.eval.cases import load_cases
from rag.eval.run import run_cases
from rag.eval.score import summarize
from rag.pipeline import Pipeline
from rag.retrieve.retriever import fuse
from rag.index.sentence_vectors import sentences_of
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "bench" / "squad2"
WEIGHTS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0]


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def ranks(pipeline: Pipeline, cases) -> list[dict]:
    """Per answerable case: the dense and BM25 candidates, computed once."""
    rows = []
    for case in cases:
        rankings = pipeline.retriever.rankings(QueryBundle(case.question))
        rows.append({"gold": set(case.sources), "rankings": rankings})
    return rows


def metrics(rows: list[dict], weight: float | None) -> dict:
    """hit@1/5/20 and MRR of the gold document; weight None: dense alone."""
    hits = {1: 0, 5: 0, 20: 0}
    rr = 0.0
    for row in rows:
        scores = row["rankings"].cosines if weight is None else fuse(row["rankings"], weight)
        docs = [chunk_id.rsplit("::", 2)[0] for chunk_id in sorted(scores, key=scores.get, reverse=True)]
        docs = list(dict.fromkeys(docs))
        at = next((i for i, d in enumerate(docs) if d in row["gold"]), None)
        for k in hits:
            hits[k] += at is not None and at < k
        rr += 1 / (at + 1) if at is not None else 0.0
    n = len(rows)
    return {**{f"hit@{k}": round(v / n, 3) for k, v in hits.items()}, "mrr": round(rr / n, 3)}


def evaluate(pipeline: Pipeline, files: list[Path]) -> dict:
    cases = load_cases(files)
    summary = summarize(cases, run_cases(pipeline, cases, "eval", show_progress=False))
    keep = ("pass_rate", "fact_accuracy", "source_hit", "citation_precision", "abstain_f1",
            "hit_at_5", "mrr", "latency_p50_ms", "latency_p95_ms")
    return {key: summary.get(key) for key in keep}


def vector_costs(pipeline: Pipeline, sample: int) -> dict:
    """Seconds per 1,000 texts: chunks with the chunk embedder, sentences with MiniLM and e5."""
    ids, texts, metas = pipeline.store.chunks()
    from llama_index.core.schema import TextNode

    nodes = [TextNode(text=t) for t in texts]
    sentences = sentences_of(nodes)
    random.Random(0).shuffle(sentences)
    chunk_texts = [f"{m['title']}\n{t}" for t, m in zip(texts, metas)][:sample]
    costs = {"chunks": len(texts), "sentences": len(sentences)}
    costs["chunk_s_per_1000"] = round(1000 * timed(
        lambda: pipeline.embed_model.get_text_embedding_batch(chunk_texts))[0] / len(chunk_texts), 1)
    for name in ("minilm", "e5"):
        model = embedder(pipeline.settings, name)
        part = sentences[:sample]
        seconds = timed(lambda model=model, part=part: model.get_text_embedding_batch(part))[0]
        costs[f"sentence_s_per_1000_{name}"] = round(1000 * seconds / len(part), 1)
    return costs


def latency(pipeline: Pipeline, questions: list[str]) -> dict:
    for question in questions[:5]:
        pipeline.search(question)
    times = [1000 * timed(lambda q=q: pipeline.search(q))[0] for q in questions]
    return {"search_p50_ms": round(statistics.median(times), 1),
            "search_p95_ms": round(statistics.quantiles(times, n=20)[18], 1)}


def bench(name: str, work: Path, sample: int, squad_dir: Path) -> dict:
    out: dict = {"embedder": name}
    squad = Settings(index_dir=work / f"squad2-{name}", ingest__embedder=name, _env_file=None)
    pipeline = Pipeline(squad)
    seconds, report = timed(lambda: pipeline.ingest(squad_dir / "corpus.jsonl", show_progress=True))
    out["ingest_squad2"] = {"seconds": round(seconds, 1), "chunks": report.total_chunks,
                            "chunks_per_s": round(report.total_chunks / seconds, 2)}
    print(name, out["ingest_squad2"], file=sys.stderr, flush=True)
    out["vector_costs"] = vector_costs(pipeline, sample)
    cases = load_cases([squad_dir / "dev.jsonl"])
    rows = ranks(pipeline, [c for c in cases if not c.abstain])
    out["retrieval"] = {"dense": metrics(rows, None),
                        **{f"fused {w}": metrics(rows, w) for w in WEIGHTS}}
    best = max(WEIGHTS, key=lambda w: (out["retrieval"][f"fused {w}"]["hit@5"],
                                       out["retrieval"][f"fused {w}"]["mrr"]))
    out["best_dense_weight"] = best
    out["latency"] = latency(pipeline, [c.question for c in cases[:200]])
    out["squad2"] = {"default": evaluate(pipeline, [squad_dir / "dev.jsonl"])}
    seed = Pipeline(Settings(index_dir=work / f"seed-{name}", ingest__embedder=name, _env_file=None))
    out["ingest_seed_s"] = round(timed(lambda: seed.ingest(ROOT / "corpus"))[0], 1)
    out["seed"] = {"default": evaluate(seed, [ROOT / "evals" / "seed.jsonl"])}
    out["multilingual"] = evaluate(seed, [ROOT / "evals" / "multilingual.jsonl"])
    if best != squad.retrieval.dense_weight:
        for label, index, files in (("squad2", squad.index_dir, [squad_dir / "dev.jsonl"]),
                                    ("seed", seed.settings.index_dir, [ROOT / "evals" / "seed.jsonl"])):
            tuned = Pipeline(Settings(index_dir=index, ingest__embedder=name, retrieval__dense_weight=best,
                                      _env_file=None))
            out[label][f"dense_weight {best}"] = evaluate(tuned, files)
    print(json.dumps(out, indent=1), file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-bench-embedders"))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "embedders.json")
    parser.add_argument("--sample", type=int, default=300, help="texts timed per vector cost")
    parser.add_argument("--squad", type=Path, default=SQUAD, help="corpus.jsonl and dev.jsonl")
    parser.add_argument("--only", choices=["minilm", "e5"],
                        help="one embedder (default both), replacing its entry in --out")
    args = parser.parse_args()
    names = [args.only] if args.only else ["minilm", "e5"]
    for name in names:
        shutil.rmtree(args.work / f"squad2-{name}", ignore_errors=True)
        shutil.rmtree(args.work / f"seed-{name}", ignore_errors=True)
    fresh = {name: bench(name, args.work, args.sample, args.squad) for name in names}
    # --only replaces its own entry, so a run can be split across two holds of the lock.
    kept = json.loads(args.out.read_text()) if args.only and args.out.exists() else []
    results = [r for r in kept if r["embedder"] not in fresh] + list(fresh.values())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
