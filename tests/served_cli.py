"""`rag serve` as a real process on a free port, for tests that kill, restart or abuse it."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.samples import ROOT, SEED_CORPUS
from tests.servers import free_port


class ServedCLI:
    """`python -m rag.app.cli.main serve` over `folder`/corpus and `folder`/index."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.corpus, self.index = folder / "corpus", folder / "index"
        if not self.corpus.exists():
            shutil.copytree(SEED_CORPUS, self.corpus)
        self.log = folder / "serve.log"
        self.env = {**os.environ, "RAG_CORPUS_DIR": str(self.corpus), "RAG_INDEX_DIR": str(self.index),
                    "RAG_CHROMA_URL": "", "RAG_UI__AUTH": "", "GRADIO_ANALYTICS_ENABLED": "False", **env}
        self.env.pop("RAG_CHROMA_URL")
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300) -> None:
        self.port = free_port()
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rag.app.cli", "serve", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rag serve exited: {self.log.read_text()[-2000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.3)
        raise RuntimeError("rag serve did not start")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: a crash, nothing cleaned up."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
