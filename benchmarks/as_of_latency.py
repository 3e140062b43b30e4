"""Answer latency with and without an as-of date, on a news-sized corpus, profiled.

    .venv/bin/python -m benchmarks.as_of_latency build [--chunks 20000]   # untimed, resumable
    flock /tmp/rag-heavy.lock .venv/bin/python -m benchmarks.as_of_latency run [--questions 60]

The corpus is benchmarks/news_corpus.py's (dated articles, 2018-2025) under
index/bench/as-of, embedded with the cheap `HashEmbedding` (benchmarks/vector_cache.py):
this measures what an as-of date adds to retrieval and answering, not retrieval quality.
`run` asks the same questions without a date and as of 2024-06-30, in one process, and
prints p50/p95 for each and the functions that take the most time with the date.
"""

import argparse
import cProfile
import io
import json
import pstats
import time

from benchmarks.bench import BENCH, percentiles

HERE = BENCH / "as-of"
AS_OF = "2024-06-30"


def _pipeline():
    from benchmarks.vector_cache import HashEmbedding
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    settings = Settings(index_dir=HERE / "index", answer__reader__enabled=False, _env_file=None)
    return Pipeline(settings, embed_model=HashEmbedding())


def build(chunks: int) -> None:
    from benchmarks.news_corpus import generate

    if not (HERE / "corpus").exists():
        print(json.dumps(generate(HERE / "corpus", chunks, seed=8)))
    print(_pipeline().ingest(HERE / "corpus").summary())


def run(count: int) -> None:
    pipeline = _pipeline()
    questions = [json.loads(line)["question"] for line in
                 (HERE / "corpus-questions.jsonl").read_text().splitlines()][:count]
    pipeline.ask(questions[0])  # warm: BM25 loaded, caches filled
    pipeline.ask(questions[0], filters=pipeline.filters(as_of=AS_OF))
    figures = {}
    for label, filters in (("no as-of", None), (f"as of {AS_OF}", pipeline.filters(as_of=AS_OF))):
        times = []
        profile = cProfile.Profile()
        for question in questions:
            start = time.perf_counter()
            profile.enable()
            pipeline.ask(question, filters=filters)
            profile.disable()
            times.append((time.perf_counter() - start) * 1000)
        figures[label] = percentiles(times)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(18)
        figures[label + " profile"] = out.getvalue().splitlines()[-26:]
    chunk_count = pipeline.count()
    print(json.dumps({"chunks": chunk_count, "questions": len(questions),
                      **{k: v for k, v in figures.items() if "profile" not in k}}, indent=1))
    for label, lines in figures.items():
        if "profile" in label:
            print(f"\n== {label}\n" + "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    sub.add_parser("build").add_argument("--chunks", type=int, default=20_000)
    sub.add_parser("run").add_argument("--questions", type=int, default=60)
    args = parser.parse_args()
    build(args.chunks) if args.step == "build" else run(args.questions)


if __name__ == "__main__":
    main()
