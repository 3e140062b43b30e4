"""What a user is told when the index cannot be used: one line naming the index and
what to do, never a traceback.

A damaged local index (a truncated or emptied chroma.sqlite3), a Chroma server that is
down, and an index that does not exist each raise an error whose message says so.
`guarded` turns Chroma's own exceptions into these at the pipeline's entry points,
which the CLI, the chat UI and the evals all go through.
"""

import functools
import inspect
import sqlite3
from collections.abc import Callable
from pathlib import Path

from rag.settings import Settings


class IndexUnavailable(RuntimeError):
    """The index is there but cannot be used now (damaged, or its server unreachable)."""


class IndexMissing(FileNotFoundError):
    """Reading an index that does not exist: reading never creates one."""


def chroma_path(settings: Settings) -> Path:
    return Path(settings.index_dir) / "chroma"


def damaged(settings: Settings, reason: str) -> IndexUnavailable:
    return IndexUnavailable(
        f"the index at {chroma_path(settings)} is damaged ({reason}): delete that folder and run "
        "`rag ingest` to rebuild it from the corpus")


def unreachable(settings: Settings) -> IndexUnavailable:
    return IndexUnavailable(f"Cannot reach the Chroma server at {settings.chroma_url} "
                            "(is `chroma run` up there? RAG_CHROMA_URL)")


def missing(settings: Settings) -> IndexMissing:
    where = (f"collection {settings.collection!r} on the Chroma server at {settings.chroma_url}"
             if settings.chroma_url else f"index at {settings.index_dir}")
    return IndexMissing(f"no {where}: run `rag ingest` first, or check --index / RAG_INDEX_DIR")


def explain(error: Exception, settings: Settings) -> IndexUnavailable | None:
    """The user-facing error for a failure of the index, or None if it is something else."""
    # Imported here: the CLI imports this module for its error types, and should start fast.
    import httpx
    from chromadb.errors import InternalError

    if settings.chroma_url:
        # chromadb's HttpClient says "Could not connect" when the server is down at start.
        if isinstance(error, (httpx.TransportError, ConnectionError)) or \
                "Could not connect to a Chroma server" in str(error):
            return unreachable(settings)
        return None
    if isinstance(error, (InternalError, sqlite3.DatabaseError)):
        return damaged(settings, str(error).splitlines()[0] if str(error) else type(error).__name__)
    return None


def guarded(method: Callable) -> Callable:
    """A pipeline method whose index failures surface as IndexUnavailable (generators too)."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def generator(self, *args, **kwargs):
            try:
                yield from method(self, *args, **kwargs)
            except Exception as error:
                if (friendly := explain(error, self.settings)) is None:
                    raise
                raise friendly from error

        return generator

    @functools.wraps(method)
    def plain(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:
            if (friendly := explain(error, self.settings)) is None:
                raise
            raise friendly from error

    return plain
