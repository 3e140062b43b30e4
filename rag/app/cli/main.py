"""`rag` command line: ingest, delete, search, ask and serve here; eval, timeline, feedback and
settings in modules of their own."""

import argparse
import json
import signal
import sys
from pathlib import Path

from rag.app.cli import eval as cli_eval, feedback as cli_feedback, settings as cli_settings, timeline as cli_timeline
from rag.app.cli.common import add_filter_options, pipeline_for, settings_from, where_from
from rag.answer import Answer
from rag.answer.backends import names, summaries
from rag.answer.over_time import with_support_counts
from rag.answer.question import has_words, too_long
from rag.time.as_of import heading, today
from rag.index.errors import IndexUnavailable
from rag.ingest.load import printable
from rag.index.lock import IndexBusy
from rag.app.local_db import StoreUnavailable
from rag.prompts import NO_INDEX, NO_QUESTION, SUSPICIOUS
from rag.settings import check_environment


def cmd_ingest(args: argparse.Namespace) -> int:
    if args.reembed:
        from rag.ingest.reembed import reembed

        print(reembed(settings_from(args), show_progress=True).summary())
        if not args.path:  # re-embedding needs no corpus: only an explicit PATH is ingested
            return 0
    pipeline = pipeline_for(args)
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


def cmd_search(args: argparse.Namespace) -> int:
    pipeline = pipeline_for(args, create=False)
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
        from rag.app.export import to_json, to_markdown

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
    limit = settings_from(args).ui.max_text_chars
    if args.question is not None and (refused := too_long(args.question, "a question", limit)):
        raise ValueError(refused)
    pipeline = pipeline_for(args, create=False)
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
        if refused := too_long(question, "a question", limit):
            print(refused, file=sys.stderr)
            continue
        if not has_words(question):
            print(NO_QUESTION, file=sys.stderr)
            continue
        print_answer(pipeline.ask(question, history, filters=filters), args.json, args.format)
        history.append(question)


def cmd_delete(args: argparse.Namespace) -> int:
    from rag.pipeline import Pipeline
    from rag.app.services.corpus import delete_document

    settings = settings_from(args)
    if args.corpus:
        settings = settings.changed(corpus_dir=Path(args.corpus))
    pipeline = Pipeline(settings, create=False)
    for doc_id in args.doc_ids:
        print(delete_document(pipeline, doc_id))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.app.ui import serve

    overrides = {f"ui__{key}": value for key in ("host", "port") if (value := getattr(args, key))}
    settings = settings_from(args).changed(**overrides)
    serve(settings)
    return 0


def command() -> int:
    """The `rag` executable (and `python -m rag.app.cli`): `main` on the command line, where a
    closed output pipe ends it quietly. `main` itself leaves the process's signals alone, so
    a program (or test) calling it keeps its own."""
    return main(sys.argv[1:], quiet_on_closed_pipe=True)


def main(argv: list[str] | None = None, quiet_on_closed_pipe: bool = False) -> int:
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
    add_filter_options(p)
    p.set_defaults(run=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations (interactive without one)")
    p.add_argument("question", nargs="?")
    p.add_argument("--k", type=int, help="passages to answer from (default 5)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                   help="markdown or json: the answer with numbered references, to keep or share")
    p.add_argument("--index", help=index_help)
    p.add_argument("--backend", choices=backends, help=backend_help)
    add_filter_options(p)
    p.set_defaults(run=cmd_ask)

    p = sub.add_parser("serve", help="serve the chat UI (app.py) on 127.0.0.1")
    p.add_argument("--host", help="interface to bind (default 127.0.0.1, or RAG_UI__HOST)")
    p.add_argument("--port", type=int, help="port (default 7860, or RAG_UI__PORT)")
    p.add_argument("--index", help=index_help)
    p.add_argument("--backend", choices=backends, help=backend_help)
    p.set_defaults(run=cmd_serve)

    cli_eval.add_parser(sub, index_help, backends, backend_help)
    cli_timeline.add_parser(sub, index_help)
    cli_feedback.add_parser(sub, index_help)
    cli_settings.add_parser(sub)

    args = parser.parse_args(argv)
    if getattr(args, "k", None) is not None and args.k < 1:
        print(f"rag: --k must be 1 or more (got {args.k})", file=sys.stderr)
        return 2
    if quiet_on_closed_pipe and args.command != "serve":
        # `rag ask ... | head` should end quietly, not with a BrokenPipeError. Never for
        # the server: a browser closing its event stream would kill it.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        check_environment()  # a misspelt RAG_* variable is named here, not ignored
        return args.run(args)
    except (FileNotFoundError, ValueError, IndexBusy, IndexUnavailable, StoreUnavailable) as error:
        print(f"rag: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(command())
