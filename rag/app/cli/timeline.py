"""`rag timeline TOPIC`: dated events about a topic, oldest first, with citations."""

import argparse
import json

from rag.app.cli.common import add_as_of_option, pipeline_for, where_from
from rag.prompts import NO_INDEX


def cmd_timeline(args: argparse.Namespace) -> int:
    from rag.answer.timeline import as_text, build_timeline, chart

    pipeline = pipeline_for(args, create=False)
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



def add_parser(sub, index_help: str) -> None:
    p = sub.add_parser("timeline", help="dated events about a topic, oldest first, with citations")
    p.add_argument("topic")
    p.add_argument("--since", metavar="DATE", help="only events on or after DATE")
    p.add_argument("--until", metavar="DATE", help="only events on or before DATE")
    p.add_argument("--source", action="append", metavar="NAME",
                   help="only documents from this source (site or publisher); repeatable")
    add_as_of_option(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--chart", metavar="PNG", help="also draw the events per year into this file")
    p.add_argument("--index", help=index_help)
    p.set_defaults(run=cmd_timeline)
