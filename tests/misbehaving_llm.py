"""OpenAI-compatible chat servers on 127.0.0.1 that misbehave the ways real ones do:
keep-alive comments forever, tokens forever, a 200 with an empty stream, a body that
is not JSON, a connection closed mid-answer. Real sockets and HTTP, no mocks."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _chunk(text: str) -> bytes:
    payload = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
               "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return f"data: {json.dumps(payload)}\n\n".encode()


def keep_alive(handler: BaseHTTPRequestHandler) -> None:
    """An SSE stream that only ever sends comments: a server 'still thinking'."""
    _start_stream(handler)
    while True:
        handler.wfile.write(b": keep-alive\n\n")
        handler.wfile.flush()
        time.sleep(0.2)


def endless(handler: BaseHTTPRequestHandler) -> None:
    """Tokens forever, whatever max_tokens asked."""
    _start_stream(handler)
    while True:
        handler.wfile.write(_chunk("and so on "))
        handler.wfile.flush()
        time.sleep(0.01)


def empty_stream(handler: BaseHTTPRequestHandler) -> None:
    """200, an event stream, and nothing in it but the end."""
    _start_stream(handler)
    handler.wfile.write(b"data: [DONE]\n\n")


def not_json(handler: BaseHTTPRequestHandler) -> None:
    body = b"<html><body>Bad gateway, try later</body></html>"
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def closes(handler: BaseHTTPRequestHandler) -> None:
    """Headers of a stream, then the connection closed without a word."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.end_headers()
    handler.wfile.flush()
    handler.close_connection = True


def _start_stream(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.end_headers()


@contextmanager
def llm_server(behaviour: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A server answering every POST with `behaviour`; yields its base URL (…/v1)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.request_json = json.loads(body or b"null")
            try:
                behaviour(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def scripted(reply: str, seen: list[dict]) -> Callable[[BaseHTTPRequestHandler], None]:
    """A model that writes `reply` whatever it is asked (one steered by what it read);
    each request's JSON body is appended to `seen`."""

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        seen.append(handler.request_json)
        _start_stream(handler)
        for word in reply.split(" "):
            handler.wfile.write(_chunk(word + " "))
        handler.wfile.write(b"data: [DONE]\n\n")
        handler.wfile.flush()

    return behaviour
