"""Scale curve: latency and memory at 1k, 10k and 100k chunks, plotted.

    flock /tmp/rag-heavy.lock .venv/bin/python -m benchmarks.scale all --sizes 1k,10k
    nice .venv/bin/python -m benchmarks.scale build --size 100k   # untimed, resumable
    flock /tmp/rag-heavy.lock .venv/bin/python -m benchmarks.scale all --sizes 100k --built

The corpus is benchmarks/news_corpus.py at 100k chunks (index/bench/scale, 100
articles a file); the 1k and 10k points take its first files. Embedding 100k chunks
for real would take about two hours here, so the curve uses the cheap deterministic
`HashEmbedding` (benchmarks/vector_cache.py) for chunks, sentences and questions: it
measures the index, BM25, listing and answering mechanics, not retrieval quality (the
real embedder adds a constant ~15 ms per question for the query vector).

Per size, in fresh processes: a full ingest (time, peak RSS), the upkeep every write
used to pay (listing all chunk metadata, rebuilding BM25) against the documents listing
now, an upload of one new document into the index (the UI's path: the file saved in
the corpus folder and ingested alone, then the documents table listed again),
and answer latency p50/p95 with serving peak RSS. Results: benchmarks/results/scale.json,
plot: benchmarks/scale.png.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bench import BENCH, QUESTIONS, RESULTS, ROOT, peak_rss_mb, percentiles

SCALE = BENCH / "scale"
SIZES = {"1k": 1, "10k": 8, "100k": None}  # files of ~1,290 chunks each; None: all


def corpus_for(size: str) -> Path:
    """A folder holding the first files of the scale corpus (hard links: ingest skips
    symlinks that lead outside the corpus folder)."""
    files = sorted(SCALE.glob("news-*.jsonl"))[: SIZES[size]]
    folder = BENCH / f"scale-{size}" / "corpus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for file in files:
        os.link(file, folder / file.name)
    return folder


def pipeline_for(size: str):
    from benchmarks.vector_cache import HashEmbedding
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    settings = Settings(index_dir=BENCH / f"scale-{size}" / "index", _env_file=None)
    return Pipeline(settings, embed_model=HashEmbedding())


def step_ingest(args) -> dict:
    import bm25s

    from rag.ingest.chunk import count_tokens
    from rag.index.lexical import searchable_text
    from rag.index.lexical import LexicalIndex
    from rag.text.terms import STEMMER, STOPWORDS

    if not args.built:
        shutil.rmtree(BENCH / f"scale-{args.size}" / "index", ignore_errors=True)
    corpus = corpus_for(args.size)
    pipeline = pipeline_for(args.size)
    started = time.perf_counter()
    pipeline.ingest(corpus)
    ingest_s = time.perf_counter() - started
    rss = peak_rss_mb()
    if args.built:  # built beforehand (`scale build`): this ingest only checked it
        ingest_s = rss = None

    timings = {}
    started = time.perf_counter()
    pipeline.store._all(include=["metadatas"])  # how the documents table was listed before
    timings["list_metadata_s"] = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.documents()  # first chunks and chunk ids only
    timings["list_documents_s"] = time.perf_counter() - started
    started = time.perf_counter()
    ids, texts, metas = pipeline.store.chunks()
    timings["list_chunks_s"] = time.perf_counter() - started
    searchable = [searchable_text(m.get("title", ""), t) for t, m in zip(texts, metas)]
    started = time.perf_counter()
    LexicalIndex.build(ids, searchable)
    timings["bm25_build_s"] = time.perf_counter() - started
    started = time.perf_counter()
    model = bm25s.BM25()  # the engine before rag/index/postings.py, which rebuilt on every write
    model.index(bm25s.tokenize(searchable, stopwords=STOPWORDS, stemmer=STEMMER, show_progress=False),
                show_progress=False)
    timings["bm25s_build_s"] = time.perf_counter() - started
    del ids, texts, metas, searchable, model

    # The UI's upload: the file saved into the corpus folder, ingested alone, then the
    # documents table listed again.
    upload = corpus / "upload.jsonl"
    record = json.loads(next(iter(sorted(SCALE.glob("news-*.jsonl")))).read_text().splitlines()[0])
    upload.write_text(json.dumps({**record, "id": "uploaded-article"}) + "\n")
    count_tokens("warm")  # the tokenizer loads once per process (~0.5 s), not per upload
    started = time.perf_counter()
    pipeline.ingest(corpus, only=["upload.jsonl"])
    timings["upload_ingest_s"] = time.perf_counter() - started
    pipeline.documents()
    timings["upload_one_document_s"] = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.ingest(corpus)
    timings["reingest_folder_unchanged_s"] = time.perf_counter() - started
    return {"chunks": pipeline.store.count(), "ingest_s": ingest_s and round(ingest_s, 1), "ingest_peak_rss_mb": rss,
            **{k: round(v, 2) for k, v in timings.items()}}


def step_serve(args) -> dict:
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    questions = questions[:: max(1, len(questions) // args.questions)][: args.questions]
    pipeline = pipeline_for(args.size)
    times = []
    for question in questions:
        started = time.perf_counter()
        pipeline.ask(question)
        times.append((time.perf_counter() - started) * 1000)
    return {"answer": percentiles(times), "serving_peak_rss_mb": peak_rss_mb()}


def child(step: str, size: str, args) -> dict:
    command = [sys.executable, "-m", "benchmarks.scale", step, "--size", size,
               "--questions", str(args.questions), *(["--built"] if args.built else [])]
    print("→", step, size, file=sys.stderr, flush=True)
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{step} {size} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print("  ", json.dumps(result), file=sys.stderr, flush=True)
    return result


def step_all(args) -> dict:
    from benchmarks.news_corpus import generate

    if not any(SCALE.glob("news-*.jsonl")):
        generate(SCALE, 100_000, seed=100)
    sizes = args.sizes.split(",")
    path = RESULTS / "scale.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    for size in sizes:
        results[size] = {**child("ingest", size, args), **child("serve", size, args)}
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n")
    plot(results)
    return results


def plot(results: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [s for s in SIZES if s in results]
    chunks = [results[s]["chunks"] for s in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(chunks, [results[s]["answer"]["p50_ms"] for s in sizes], "o-", label="answer p50")
    left.plot(chunks, [results[s]["answer"]["p95_ms"] for s in sizes], "o-", label="answer p95")
    left.plot(chunks, [results[s]["upload_one_document_s"] * 1000 for s in sizes], "s--",
              label="upload of one document")
    left.plot(chunks, [results[s]["list_metadata_s"] * 1000 for s in sizes], "x:",
              label="every chunk's metadata (the old listing)")
    left.set(xscale="log", yscale="log", xlabel="chunks in the index", ylabel="ms",
             title="Latency (hash embedder)")
    left.legend()
    right.plot(chunks, [results[s]["serving_peak_rss_mb"] for s in sizes], "o-", label="serving")
    measured = [s for s in sizes if results[s]["ingest_peak_rss_mb"]]
    right.plot([results[s]["chunks"] for s in measured], [results[s]["ingest_peak_rss_mb"] for s in measured],
               "o-", label="full ingest")
    right.set(xscale="log", xlabel="chunks in the index", ylabel="peak RSS, MB", title="Memory")
    right.legend()
    fig.tight_layout()
    fig.savefig(ROOT / "benchmarks" / "scale.png", dpi=110)


def step_build(args) -> dict:
    """Build (or finish building: ingest resumes) the index for one size, untimed: at
    100k chunks this takes longer than one hold of the lock, and need not hold it."""
    pipeline = pipeline_for(args.size)
    pipeline.ingest(corpus_for(args.size))
    return {"chunks": pipeline.store.count()}


STEPS = {"build": step_build, "ingest": step_ingest, "serve": step_serve, "all": step_all}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--size", choices=SIZES, default="1k")
    parser.add_argument("--sizes", default="1k,10k,100k", help="all: which points to (re)measure")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--built", action="store_true",
                        help="the index was built by `scale build`: measure, do not rebuild")
    args = parser.parse_args()
    import rag  # noqa: F401  (offline environment) before anything else

    print(json.dumps(STEPS[args.step](args)))


if __name__ == "__main__":
    main()
