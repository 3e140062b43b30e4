"""Real servers for tests, on 127.0.0.1 and free ports: a `chroma run` server, and the
chat app over a throwaway corpus and index."""

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.app.ui import build_app, launch
from tests.samples import ROOT, SEED_CORPUS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """A real `chroma run` server over `folder`, on a free port; can be stopped and restarted."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        chroma = Path(sys.executable).parent / "chroma"
        self.process = subprocess.Popen([str(chroma), "run", "--path", str(self.folder), "--host",
                                         "127.0.0.1", "--port", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.3)
        raise RuntimeError("chroma run did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None


def temp_settings(folder: Path, **overrides) -> Settings:
    """Settings for a copy of the seed corpus and a fresh index under `folder`. Everything
    the UI reads is set here and .env is ignored, so a developer's own settings cannot leak in."""
    corpus = folder / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    fields = {"corpus_dir": corpus, "index_dir": folder / "index", "chroma_url": None,
              "ui__host": "127.0.0.1", "ui__port": free_port(), "ui__auth": None, "ui__max_upload_mb": 5.0}
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


@contextmanager
def dated_app(folder: Path) -> Iterator[tuple[str, Pipeline]]:
    """The app served over the seed corpus plus the dated one (evals/corpora/dated)."""
    settings = temp_settings(folder)
    for file in (ROOT / "evals" / "corpora" / "dated").iterdir():
        shutil.copy(file, settings.corpus_dir)
    with running_app(settings) as served:
        yield served
