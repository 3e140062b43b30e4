"""What every `rag` command shares: settings from its options, its pipeline, the filter and
as-of options, and where a passage comes from."""

import argparse
from pathlib import Path
from typing import Any

from rag.ingest.formats.fields import provenance
from rag.settings import Settings


def settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "k", None) is not None:
        overrides["retrieval__top_k"] = args.k
    if getattr(args, "backend", None):
        overrides["answer__backend"] = args.backend
    return Settings(**overrides)


def pipeline_for(args: argparse.Namespace, create: bool = True):
    from rag.pipeline import Pipeline

    return Pipeline(settings_from(args), create=create)


def where_from(metadata: dict, as_of: str | None = None) -> str:
    return " · ".join(provenance(metadata, as_of))


def add_filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="DATE", help="only documents published on or after DATE")
    p.add_argument("--until", metavar="DATE", help="only documents published on or before DATE")
    p.add_argument("--source", action="append", metavar="NAME",
                   help="only documents from this source (site or publisher); repeatable")
    add_as_of_option(p)


def add_as_of_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", help="ask as of DATE: later documents are left out, "
                   "'this week' or 'recently' count back from it (default: today)")
