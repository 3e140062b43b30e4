"""Fixtures every tier shares: the fake embedder, a copy of the seed corpus, settings for
a fresh index, and a real Chroma server."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.settings import Settings
from tests.fakes import FakeEmbedding
from tests.samples import SEED_CORPUS
from tests.servers import ChromaServer


@pytest.fixture
def fake_embedder() -> FakeEmbedding:
    return FakeEmbedding()


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, seed_corpus: Path) -> Settings:
    # The hash embedder's tests check the sentence rules; the reader is tested with the real
    # embedder (tests/test_reader.py, tests/test_integration.py, the seed eval gate).
    return Settings(index_dir=tmp_path / "index", corpus_dir=seed_corpus, answer__reader__enabled=False, _env_file=None)


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real `chroma run` server on a free port; yields its URL."""
    server = ChromaServer(tmp_path / "server")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
