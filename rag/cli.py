"""`rag` command line: ingest, delete, search, ask, eval, serve, feedback."""

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from rag import cli_feedback, cli_settings
from rag.answer import Answer
from rag.answer.backends import names, summaries
from rag.answer.over_time import with_support_counts
from rag.answer.question import has_words
from rag.as_of import heading, today
from rag.filters import Filters
from rag.formats.fields import provenance
from rag.index_errors import IndexUnavailable
from rag.load import printable
from rag.lock import IndexBusy
from rag.prompts import NO_INDEX, NO_QUESTION, SUSPICIOUS
from rag.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "k", None) is not None:
        overrides["retrieval__top_k"] = args.k
    if getattr(args, "backend", None):
        overrides["answer__backend"] = args.backend
    return Settings(**overrides)


def _pipeline(args: argparse.Namespace, create: bool = True):
    from rag.pipeline import Pipeline

    return Pipeline(_settings(args), create=create)


def cmd_ingest(args: argparse.Namespace) -> int:
    if args.reembed:
        from rag.reembed import reembed

        print(reembed(_settings(args), show_progress=True).summary())
        if not args.path:  # re-embedding needs no corpus: only an explicit PATH is ingested
            return 0
    pipeline = _pipeline(args)
    path = Path(args.path) if args.path else pipeline.settings.corpus_dir
    terminal = sys.stderr.isatty()
    # Warnings (a large document: hours of embedding) come before the embedding starts.
    report = pipeline.ingest(path, show_progress=terminal, progress=None if terminal else _lines(),
                             warn=lambda warning: print(f"warning: {warning}", file=sys.stderr, flush=True))
    for error in report.errors:
        print(f"skipped {error}", file=sys.stderr)
    print(report.summary())
    return 0


def _lines(steps: int = 10):
    """Progress as plain lines, about every tenth of the work, for a log or a pipe."""
    shown = 0

    def progress(done: int, total: int) -> None:
        nonlocal shown
        if done * steps >= (shown + 1) * total or done == total:
            shown = done * steps // total
            print(f"embedded {done}/{total} chunks", file=sys.stderr, flush=True)

    return progress


def _filters(args: argparse.Namespace, pipeline):
    return pipeline.filters(args.since, args.until, args.source or (), args.as_of)


def where_from(metadata: dict, as_of: str | None = None) -> str:
    return " · ".join(provenance(metadata, as_of))


def cmd_search(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args, create=False)
    filters = _filters(args, pipeline)
    results = pipeline.search(args.query, args.k, filters)
    rows = [{
        "rank": rank, "doc_id": r.node.metadata.get("doc_id"), "title": r.node.metadata.get("title"),
        "score": round(r.score or 0.0, 5), "dense_score": r.node.metadata.get("dense_score"),
        "start": r.node.start_char_idx, "end": r.node.end_char_idx, "text": r.node.get_content(),
        **{key: r.node.metadata[key] for key in ("published_at", "source", "page", "url")
           if key in r.node.metadata},
    } for rank, r in enumerate(results, start=1)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("No results." if pipeline.count() else NO_INDEX)
    for row in rows:
        known = f"  ({where_from(row, filters.as_of)})" if where_from(row) else ""
        print(f"{row['rank']}. {printable(row['doc_id'])}  [{row['start']}:{row['end']}]  score {row['score']}"
              f"  cosine {row['dense_score']}\n   {row['title']}{known}\n   {_snippet(row['text'])}\n")
    return 0


def _snippet(text: str, width: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"


def print_answer(answer: Answer, as_json: bool, fmt: str = "text") -> None:
    if fmt != "text":
        from rag.export import to_json, to_markdown

        print(to_markdown(answer) if fmt == "markdown" else
              json.dumps(to_json(answer), ensure_ascii=False, indent=2))
        return
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    if answer.searched_for and answer.searched_for != answer.question:
        print(f"(searched for: {answer.searched_for})")
    if answer.notice:
        print(f"({answer.notice})")
    text = with_support_counts(answer.answer, answer.support)
    print(f"{heading(answer.as_of)}: {text}" if answer.as_of else text)
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        cited = " … ".join(c.text[s:e] for s, e in c.highlights)
        known = (f"{where_from(c.metadata, answer.as_of or today())}, "
                 if where_from(c.metadata) else "")
        print(f"[{c.n}] {printable(c.doc_id)} — {c.title} ({known}chars {c.start}-{c.end})\n"
              f"    “{_snippet(cited, 400)}”")
        if c.metadata.get("suspicious"):
            print(f"    ({SUSPICIOUS})")
    dropped = sum(s["status"] == "dropped" for s in answer.sentences)
    checked = f", {answer.backend}: {dropped} unsupported sentence(s) dropped" if dropped else ""
    print(f"\n({answer.latency_ms:.0f} ms{checked})")


def cmd_ask(args: argparse.Namespace) -> int:
    if args.question is not None and not has_words(args.question):
        raise ValueError("the question is empty: it has no words (run `rag ask` without one to ask interactively)")
    if args.json and args.format != "text":
        raise ValueError("give --json or --format, not both")
    pipeline = _pipeline(args, create=False)
    if pipeline.count() == 0:
        print(NO_INDEX, file=sys.stderr)
    filters = _filters(args, pipeline)
    if filters:
        print(f"(only passages {filters.describe()})", file=sys.stderr)
    if args.question:
        print_answer(pipeline.ask(args.question, filters=filters), args.json, args.format)
        return 0
    history: list[str] = []
    # Banner and prompt on stderr: stdout carries answers only (one JSON each with --json).
    print("Ask a question about the corpus (empty line or Ctrl-D to quit).", file=sys.stderr)
    while True:
        try:
            print("\n? ", end="", file=sys.stderr, flush=True)
            question = input().strip()
        except EOFError:
            return 0
        if not question:
            return 0
        if not has_words(question):
            print(NO_QUESTION, file=sys.stderr)
            continue
        print_answer(pipeline.ask(question, history, filters=filters), args.json, args.format)
        history.append(question)


def cmd_eval(args: argparse.Namespace) -> int:
    from rag.eval.cases import load_cases
    from rag.eval.report import print_table, write_report
    from rag.eval.run import changes, run_cases
    from rag.eval.score import summarize
    from rag.pipeline import Pipeline

    cases = load_cases([Path(f) for f in args.files])
    pipeline = Pipeline(_settings(args), create=bool(args.corpus))
    corpus = Path(args.corpus) if args.corpus else pipeline.settings.corpus_dir
    if args.corpus:
        report = pipeline.ingest(corpus, show_progress=sys.stderr.isatty())
        print(f"ingest: {report.summary()}", file=sys.stderr)
    runs = {}
    if args.pipeline in ("ours", "both"):
        runs["ours"] = run_cases(pipeline, cases, "ours", show_progress=sys.stderr.isatty(),
                                 as_of=Filters.parse(as_of=args.as_of).as_of)
    if args.pipeline in ("baseline", "both"):
        from rag.eval.baseline import BaselinePipeline
        from rag.pipeline import default_embedder

        # Its own embedder: ours caches question vectors, which would flatter the baseline.
        baseline = BaselinePipeline(corpus, default_embedder(pipeline.settings),
                                    pipeline.settings.retrieval.top_k)
        runs["baseline"] = run_cases(baseline, cases, "baseline", show_progress=sys.stderr.isatty())
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


def cmd_timeline(args: argparse.Namespace) -> int:
    from rag.timeline import as_text, build_timeline, chart

    pipeline = _pipeline(args, create=False)
    filters = pipeline.filters(args.since, args.until, args.source or (), args.as_of)
    timeline = build_timeline(pipeline, args.topic, filters.since, filters.until, filters.sources,
                              filters.as_of)
    if args.chart:
        chart(timeline).savefig(args.chart)
    if args.json:
        print(json.dumps(timeline.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(as_text(timeline, lambda meta: where_from(meta)) if pipeline.count() else NO_INDEX)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from rag.pipeline import Pipeline
    from rag.services.corpus import delete_document

    settings = _settings(args)
    if args.corpus:
        settings = settings.changed(corpus_dir=Path(args.corpus))
    pipeline = Pipeline(settings, create=False)
    for doc_id in args.doc_ids:
        print(delete_document(pipeline, doc_id))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.ui import serve

    overrides = {f"ui__{key}": value for key in ("host", "port") if (value := getattr(args, key))}
    settings = _settings(args).changed(**overrides)
    serve(settings)
    return 0


def _add_filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="DATE", help="only documents published on or after DATE")
    p.add_argument("--until", metavar="DATE", help="only documents published on or before DATE")
    p.add_argument("--source", action="append", metavar="NAME",
                   help="only documents from this source (site or publisher); repeatable")
    _add_as_of_option(p)


def _add_as_of_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", help="ask as of DATE: later documents are left out, "
                   "'this week' or 'recently' count back from it (default: today)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    index_help = "index folder (default: index/, or RAG_INDEX_DIR)"
    backends, backend_help = names(), f"who writes the answer (default RAG_ANSWER__BACKEND): {summaries()}"

    p = sub.add_parser("ingest", help="index a corpus folder or file, incrementally")
    p.add_argument("path", nargs="?", help="corpus folder or file (default: corpus/)")
    p.add_argument("--index", help=index_help)
    p.add_argument("--reembed", action="store_true",
                   help="replace every vector of the index with RAG_INGEST__EMBEDDER's (documents are kept), "
                        "then ingest PATH if one is given")
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("delete", help="remove documents from the index, and their files from the corpus")
    p.add_argument("doc_ids", nargs="+", metavar="DOC_ID", help="as `rag search` shows it")
    p.add_argument("--corpus", help="the corpus folder the documents were ingested from "
                                    "(default: corpus/, or RAG_CORPUS_DIR)")
    p.add_argument("--index", help=index_help)
    p.set_defaults(run=cmd_delete)

    p = sub.add_parser("search", help="show the passages retrieved for a query")
    p.add_argument("query")
    p.add_argument("--k", type=int, help="how many passages (default 5)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--index", help=index_help)
    _add_filter_options(p)
    p.set_defaults(run=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations (interactive without one)")
    p.add_argument("question", nargs="?")
    p.add_argument("--k", type=int, help="passages to answer from (default 5)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                   help="markdown or json: the answer with numbered references, to keep or share")
    p.add_argument("--index", help=index_help)
    p.add_argument("--backend", choices=backends, help=backend_help)
    _add_filter_options(p)
    p.set_defaults(run=cmd_ask)

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
    _add_as_of_option(p)
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("timeline", help="dated events about a topic, oldest first, with citations")
    p.add_argument("topic")
    p.add_argument("--since", metavar="DATE", help="only events on or after DATE")
    p.add_argument("--until", metavar="DATE", help="only events on or before DATE")
    p.add_argument("--source", action="append", metavar="NAME",
                   help="only documents from this source (site or publisher); repeatable")
    _add_as_of_option(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--chart", metavar="PNG", help="also draw the events per year into this file")
    p.add_argument("--index", help=index_help)
    p.set_defaults(run=cmd_timeline)

    p = sub.add_parser("serve", help="serve the chat UI (app.py) on 127.0.0.1")
    p.add_argument("--host", help="interface to bind (default 127.0.0.1, or RAG_UI__HOST)")
    p.add_argument("--port", type=int, help="port (default 7860, or RAG_UI__PORT)")
    p.add_argument("--index", help=index_help)
    p.add_argument("--backend", choices=backends, help=backend_help)
    p.set_defaults(run=cmd_serve)

    cli_feedback.add_parser(sub, index_help)
    cli_settings.add_parser(sub)

    args = parser.parse_args(argv)
    if getattr(args, "k", None) is not None and args.k < 1:
        print(f"rag: --k must be 1 or more (got {args.k})", file=sys.stderr)
        return 2
    if args.command != "serve":
        # `rag ask ... | head` should end quietly, not with a BrokenPipeError. Never for
        # the server: a browser closing its event stream would kill it.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        return args.run(args)
    except (FileNotFoundError, ValueError, IndexBusy, IndexUnavailable) as error:
        print(f"rag: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
