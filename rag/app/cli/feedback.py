"""`rag feedback list` and `rag feedback export`: the ratings given in the chat, and the
eval cases they make (rag/app/feedback.py)."""

import argparse
import json
from pathlib import Path

from rag.answer.question import readable
from rag.app.feedback import Feedback, FeedbackStore, export, feedback_path
from rag.settings import Settings


def _store(args: argparse.Namespace) -> FeedbackStore:
    settings = Settings(index_dir=Path(args.index)) if args.index else Settings()
    return FeedbackStore(feedback_path(settings), settings.ui.max_text_chars)


def _line(item: Feedback) -> str:
    # Cleaned again as shown: rows stored before input was cleaned may hold terminal escapes.
    said = ("not in the corpus" if item.not_in_corpus else
            f"should say: {readable(item.expected)}" if item.expected else "")
    sources = f"sources: {', '.join(map(readable, item.accepted))}" if item.accepted else ""
    details = "; ".join(part for part in (said, sources) if part)
    rating = "👍" if item.rating == "up" else "👎"
    return f"{item.id:>4}  {readable(item.rated_at)}  {rating}  {readable(item.question)}" + \
        (f"\n      {details}" if details else "")


def cmd_list(args: argparse.Namespace) -> int:
    items = _store(args).all()
    if args.json:
        print(json.dumps([vars(item) for item in items], ensure_ascii=False, indent=2))
    elif not items:
        print("No feedback yet: rate answers with 👍/👎 in the chat.")
    for item in [] if args.json else items:
        print(_line(item))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    target = Path(args.to)
    print(export(_store(args).all(), target).summary(target))
    return 0


def add_parser(sub: argparse._SubParsersAction, index_help: str) -> None:
    p = sub.add_parser("feedback", help="ratings given in the chat, and eval cases made from them")
    actions = p.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="every rating, oldest first")
    listing.add_argument("--json", action="store_true", help="with the whole answer records")
    listing.add_argument("--index", help=index_help)
    listing.set_defaults(run=cmd_list)
    out = actions.add_parser("export", help="append eval cases (tags: from-chat) to a JSONL file")
    out.add_argument("--to", required=True, metavar="FILE", help="e.g. evals/from-chat.jsonl")
    out.add_argument("--index", help=index_help)
    out.set_defaults(run=cmd_export)
