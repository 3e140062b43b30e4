"""Fixtures the integration tier shares."""

from pathlib import Path

import pytest

from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.samples import SEED_CORPUS


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus ingested once with the real embedder, for tests that only ask."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("seed-index"), corpus_dir=SEED_CORPUS,
                        _env_file=None)
    Pipeline(settings).ingest()
    return settings.index_dir
