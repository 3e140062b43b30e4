"""The registry of answer backends. Settings, the CLI's `--backend` choices, the chat's
selector and `available()` all read it.

A backend is one module under rag/answer/ that calls `register(Backend(...))` when it
is imported: its name, one line saying what it is, `runnable(settings)` (would it start
here? answered without loading a model or calling a server) and `build(resources)`,
which returns its `Answerer` or raises `BackendUnavailable`. Every module of the
package is imported on first use of the registry, so adding a backend is adding its
module.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer.base import Answerer
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.index.lexical import LexicalIndex
    from rag.answer.reader.model import Reader


class BackendUnavailable(ValueError):
    """One line: why a backend cannot run, and what to do about it."""


@dataclass(frozen=True)
class Resources:
    """What the pipeline lends a backend it builds."""

    settings: Settings
    embed_model: BaseEmbedding
    lexical: "Callable[[], LexicalIndex]"  # the BM25 index as the collection is now
    answerer: Callable[[str], Answerer]  # another backend's answerer (built once, shared)
    reader: "Callable[[], Reader | None]"  # loads the trained reader on first use (None: off)


@dataclass(frozen=True)
class Backend:
    name: str
    summary: str  # for `--help` and the docs
    build: Callable[[Resources], Answerer]
    runnable: Callable[[Settings], bool]


_REGISTRY: dict[str, Backend] = {}
_loaded = False


def register(backend: Backend) -> Backend:
    _REGISTRY[backend.name] = backend
    return backend


def _load() -> dict[str, Backend]:
    global _loaded
    if not _loaded:
        _loaded = True
        package = importlib.import_module("rag.answer")
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"rag.answer.{module.name}")
    return _REGISTRY


def names() -> list[str]:
    """Every registered backend, the default (extractive) first."""
    return sorted(_load(), key=lambda name: name != "extractive")


def backend(name: str) -> Backend:
    found = _load().get(name)
    if found is None:
        raise BackendUnavailable(f"no answer backend {name!r} (there are {', '.join(names())})")
    return found


def build(name: str, resources: Resources) -> Answerer:
    return backend(name).build(resources)


def available(settings: Settings) -> list[str]:
    """Backends that would start here, without loading a model or calling a server."""
    return [name for name in names() if _load()[name].runnable(settings)]


def summaries() -> str:
    """One phrase per backend, for `--help`."""
    return "; ".join(f"{b.name}: {b.summary}" for b in (_load()[n] for n in names()))
