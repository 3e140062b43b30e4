"""`rag eval`: run eval cases through our pipeline, the plain llama-index one, or both."""

import argparse
import json
import sys
from pathlib import Path

from rag.app.cli.common import add_as_of_option, settings_from
from rag.retrieve.filters import Filters


def cmd_eval(args: argparse.Namespace) -> int:
    from rag.eval.cases import load_cases
    from rag.eval.report import print_table, write_report
    from rag.eval.run import changes, run_cases
    from rag.eval.score import summarize
    from rag.pipeline import Pipeline

    cases = load_cases([Path(f) for f in args.files])
    # Every as-of date checked before anything is ingested or asked (rag/time/as_of.py).
    as_of = Filters.parse(as_of=args.as_of).as_of
    for case in cases:
        if case.as_of:
            try:
                Filters(as_of=case.as_of.isoformat())
            except ValueError as error:
                raise ValueError(f"eval case {case.id!r}: {error}") from None
    pipeline = Pipeline(settings_from(args), create=bool(args.corpus))
    corpus = Path(args.corpus) if args.corpus else pipeline.settings.corpus_dir
    if args.corpus:
        report = pipeline.ingest(corpus, show_progress=sys.stderr.isatty())
        print(f"ingest: {report.summary()}", file=sys.stderr)
    runs = {}
    if args.pipeline in ("ours", "both"):
        runs["ours"] = run_cases(pipeline, cases, "ours", show_progress=sys.stderr.isatty(),
                                 as_of=as_of)
    if args.pipeline in ("baseline", "both"):
        from rag.eval.baseline import BaselinePipeline
        from rag.pipeline import default_embedder

        # Its own embedder: ours caches question vectors, which would flatter the baseline.
        baseline = BaselinePipeline(corpus, default_embedder(pipeline.settings),
                                    pipeline.settings.retrieval.top_k)
        runs["baseline"] = run_cases(baseline, cases, "baseline", show_progress=sys.stderr.isatty())
    for label, results in runs.items():
        for failed in (r for r in results if r.error):  # in the report too, with its question
            print(f"rag eval: {label}: case {failed.id} failed: {failed.error}", file=sys.stderr)
    summaries = {label: summarize(cases, results) for label, results in runs.items()}
    print_table(summaries)

    first = next(iter(runs))
    diff = None
    if args.baseline:
        diff = changes(json.loads(Path(args.baseline).read_text())["results"], runs[first])
        print(f"against {args.baseline}: broke {diff['broke'] or 'none'}, fixed {diff['fixed'] or 'none'}")
    command = "rag eval " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["eval"] else "rag eval"
    if args.json:
        payload = {**summaries[first], "command": command,
                   "results": [r.to_dict() for r in runs[first]]}
        if len(runs) > 1:
            payload["pipelines"] = summaries
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(payload, ensure_ascii=False, indent=2))
    if args.report:
        path = write_report(Path(args.report), command, summaries, runs, diff)
        print(f"report: {path}")
    pass_rate = summaries[first]["pass_rate"] or 0.0
    if args.min_pass_rate is not None and pass_rate < args.min_pass_rate:
        print(f"FAIL: pass rate {pass_rate:.3f} is below --min-pass-rate {args.min_pass_rate}",
              file=sys.stderr)
        return 1
    return 0



def add_parser(sub, index_help: str, backends: list[str], backend_help: str) -> None:
    p = sub.add_parser("eval", help="run regression eval cases and report metrics")
    p.add_argument("files", nargs="+", help="JSONL case files")
    p.add_argument("--corpus", help="ingest this corpus into --index first (incrementally)")
    p.add_argument("--index", help=index_help)
    p.add_argument("--k", type=int, help="passages retrieved per question (default 5)")
    p.add_argument("--pipeline", choices=["ours", "baseline", "both"], default="ours",
                   help="'baseline' is a stock llama-index pipeline; 'both' runs them side by side")
    p.add_argument("--json", help="write metrics and per-case results to this file")
    p.add_argument("--report", help="write a Markdown report with plots into this folder")
    p.add_argument("--baseline", help="an earlier --json file: report cases that changed")
    p.add_argument("--min-pass-rate", type=float, help="exit 1 if the pass rate is lower")
    p.add_argument("--backend", choices=backends, help=backend_help)
    add_as_of_option(p)
    p.set_defaults(run=cmd_eval)
