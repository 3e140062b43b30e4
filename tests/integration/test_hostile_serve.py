"""`rag serve` as a hostile or unlucky user meets it (issue 21): clients that close their
event streams early (case 6), a crash in the middle of an upload (case 10)."""

import signal
import socket
import struct
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from rag.settings import Settings
from rag.app.ui.corpus import save_upload
from tests.served_cli import ServedCLI

pytestmark = pytest.mark.integration


def _close_early(port: int, request: bytes, reset: bool) -> None:
    """Send a request, read a little of the answer, and drop the connection (with a reset,
    or a plain close), as a browser tab closed mid-stream does."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        try:
            sock.recv(64)
        except TimeoutError:
            pass
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _ignores_sigpipe(pid: int) -> bool:
    """Whether the process ignores SIGPIPE (a write to a closed socket is then an error, not death)."""
    ignored = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("SigIgn:"))
    return bool(int(ignored.split()[1], 16) & (1 << (signal.SIGPIPE - 1)))


def _chat_fn_index(url: str) -> int:
    config = httpx.get(f"{url}/config", timeout=30).json()
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == "chat")


def test_serve_survives_clients_closing_streams_early(tmp_path: Path) -> None:
    served = ServedCLI(tmp_path)
    served.start()
    try:
        assert _ignores_sigpipe(served.process.pid)
        fn_index = _chat_fn_index(served.url)
        host = f"Host: 127.0.0.1:{served.port}\r\n"
        for i in range(15):
            # A question whose answer streams, and its event stream dropped after a few bytes.
            httpx.post(f"{served.url}/gradio_api/queue/join", timeout=30, json={
                "data": ["When did Wagner deploy to Mali?", [], "", "", []], "fn_index": fn_index,
                "session_hash": f"s{i}", "event_data": None, "trigger_id": None})
            _close_early(served.port, f"GET /gradio_api/queue/data?session_hash=s{i} HTTP/1.1\r\n"
                                      f"{host}Accept: text/event-stream\r\n\r\n".encode(), reset=i % 2 == 0)
            _close_early(served.port, f"GET / HTTP/1.1\r\n{host}\r\n".encode(), reset=i % 2 == 1)
        time.sleep(2)
        assert served.alive(), served.log.read_text()[-2000:]
        text = Client(served.url, verbose=False).predict("When did Wagner deploy to Mali?",
                                                         api_name="/chat")
        assert "December 2021" in text
        assert served.alive()
    finally:
        served.stop()


ARTICLE = ("Harbour news\nThe harbour of Zorblat reopened on Monday after the long storm, "
           "the port authority said. Forty ships had waited outside the breakwater.\n")


def test_upload_cut_by_a_crash_is_indexed_at_start_up(tmp_path: Path) -> None:
    served = ServedCLI(tmp_path)
    served.start()
    try:
        # The upload handler's first step (the file saved into the corpus folder) ... then a crash.
        (tmp_path / "incoming").mkdir()
        (tmp_path / "incoming" / "harbour.txt").write_text(ARTICLE)
        save_upload(tmp_path / "incoming" / "harbour.txt", Settings(corpus_dir=served.corpus, _env_file=None))
        served.kill()
        served.start()
        text = Client(served.url, verbose=False).predict("When did the harbour of Zorblat reopen?",
                                                         api_name="/chat")
        assert "reopened on Monday" in text and "harbour.txt" in text
        assert "1 added" in served.log.read_text()
    finally:
        served.stop()
