"""Shared by the UI tests: a throwaway corpus and index, and the app served on a free port."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.ui import build_app, launch
from tests.conftest import ROOT, SEED_CORPUS, free_port  # noqa: F401 (ROOT: for the UI tests)


def temp_settings(folder: Path, **overrides) -> Settings:
    """Settings for a copy of the seed corpus and a fresh index under `folder`. Everything
    the UI reads is set here and .env is ignored, so a developer's own settings cannot leak in."""
    corpus = folder / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    fields = {"corpus_dir": corpus, "index_dir": folder / "index", "chroma_url": None,
              "host": "127.0.0.1", "port": free_port(), "auth": None, "max_upload_mb": 5.0}
    return Settings(**{**fields, **overrides}, _env_file=None)


@contextmanager
def running_app(settings: Settings) -> Iterator[tuple[str, Pipeline]]:
    """The app over an ingested index, served in this process; yields its URL and pipeline."""
    pipeline = Pipeline(settings)
    pipeline.ingest()
    app = build_app(pipeline)
    _, url, _ = launch(app, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield url, pipeline
    finally:
        app.close()
