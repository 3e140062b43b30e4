"""Odd questions and odd command lines (issue 21): an empty `/chat` question (case 9),
control characters, NUL-only and punctuation-only questions, `--k` out of range, a newline
in a file name, the large-document warning and progress without a terminal, a 0-page
PDF, and repeated wrong passwords (case 12). Real app through gradio_client, the real CLI."""

import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from pypdf import PdfWriter

from rag.ingest.load import load_corpus
from rag.prompts import NO_QUESTION
from rag.app.ui import build_app, launch
from rag.app.ui.login import CLIENT, LOCKOUT, MAX_FAILURES, LoginGuard
from tests.samples import ROOT, SEED_CORPUS
from tests.servers import free_port, running_app, temp_settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with running_app(temp_settings(tmp_path_factory.mktemp("questions"))) as (url, pipeline):
        yield url, pipeline


@pytest.mark.parametrize("question", ["", "   ", "\x00\x00", "?!…", "\x07\x1b\x7f"])
def test_a_question_without_words_is_answered_with_one_sentence(served, question: str) -> None:
    client = Client(served[0], verbose=False)
    client.predict("Which Russian force stayed after Wagner left?", api_name="/chat")
    assert client.predict(question, api_name="/chat") == NO_QUESTION  # not a follow-up
    # ... and it did not enter the history: the next follow-up still leans on the first.
    assert "searched for" in client.predict("Who backs it?", api_name="/chat")


def test_control_characters_do_not_change_the_answer(served) -> None:
    text = Client(served[0], verbose=False).predict("When did Wagner\x00 deploy\x1b to Mali?\x07",
                                                   api_name="/chat")
    assert "December 2021" in text


def _rag(*args: str, index: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.app.cli", *args, "--index", str(index)], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The seed corpus plus a file with a newline in its name, an unreadable one with a
    newline too, and a large document; ingested by `rag ingest` into a pipe."""
    folder = tmp_path_factory.mktemp("cli")
    corpus = folder / "corpus"
    corpus.mkdir()
    for file in SEED_CORPUS.iterdir():
        (corpus / file.name).write_bytes(file.read_bytes())
    (corpus / "harbour\nnews.txt").write_text("Harbour news\nThe harbour of Zorblat reopened on "
                                              "Monday after the long storm, officials said.\n")
    (corpus / "bad\nfile.txt").write_bytes(b"\x00\x01")
    (corpus / "long.txt").write_text("Long report\n" + "The grain harvest of Kessa grew again. " * 4000)
    done = _rag("ingest", str(corpus), index=folder / "index", RAG_INGEST__WARN_DOCUMENT_MB="0.1")
    assert done.returncode == 0, done.stderr
    return folder / "index", done


def test_a_newline_in_a_file_name_stays_on_one_line(cli_index) -> None:
    index, ingest = cli_index
    assert "skipped bad\\nfile.txt: binary file, not text" in ingest.stderr.splitlines()
    search = _rag("search", "harbour of Zorblat reopened", index=index)
    assert any(line.startswith("1. harbour\\nnews.txt  [") for line in search.stdout.splitlines())


def test_large_document_warning_comes_before_embedding_and_progress_is_plain_lines(cli_index) -> None:
    lines = cli_index[1].stderr.splitlines()
    warning = next(i for i, line in enumerate(lines) if line.startswith("warning: long.txt:"))
    progress = [i for i, line in enumerate(lines) if line.startswith("embedded ")]
    assert progress and warning < progress[0]
    assert lines[progress[-1]].split()[1].split("/")[0] == lines[progress[-1]].split()[1].split("/")[1]
    assert len(progress) <= 12 and "\r" not in cli_index[1].stderr


@pytest.mark.parametrize("k", ["-1", "0"])
def test_k_out_of_range_is_one_line(cli_index, k: str) -> None:
    for command in (["search", "grain"], ["ask", "grain?"]):
        done = _rag(*command, "--k", k, index=cli_index[0])
        assert done.returncode == 2 and done.stderr == f"rag: --k must be 1 or more (got {k})\n"
    assert len(_rag("search", "grain", "--k", "1", "--json", index=cli_index[0]).stdout.split('"rank"')) == 2


def test_punctuation_only_rag_ask_is_refused(cli_index) -> None:
    done = _rag("ask", "?!", index=cli_index[0])
    assert done.returncode == 2 and done.stderr.startswith("rag: the question is empty: it has no words")


def test_a_pdf_without_pages_says_so(tmp_path: Path) -> None:
    out = io.BytesIO()
    PdfWriter().write(out)
    (tmp_path / "empty.pdf").write_bytes(out.getvalue())
    corpus = load_corpus(tmp_path)
    assert [str(e) for e in corpus.errors] == ["empty.pdf: a PDF with no pages"]


def test_repeated_wrong_passwords_lock_the_login(served) -> None:
    _, pipeline = served
    settings = pipeline.settings.changed(ui__auth="reader:secret", ui__port=free_port())
    app = build_app(pipeline)
    _, url, _ = launch(app, settings, prevent_thread_lock=True, quiet=True)
    try:
        login = f"{url.rstrip('/')}/login"
        for _ in range(MAX_FAILURES):
            assert httpx.post(login, data={"username": "reader", "password": "guess"}).status_code >= 400
        # Locked: even the right password is refused now.
        assert httpx.post(login, data={"username": "reader", "password": "secret"}).status_code >= 400
    finally:
        app.close()


def test_the_lock_opens_after_the_lockout() -> None:
    now = [0.0]
    guard = LoginGuard("reader", "secret", clock=lambda: now[0])
    assert guard("reader", "secret")
    for _ in range(MAX_FAILURES):
        assert not guard("reader", "nope")
    assert not guard("reader", "secret")
    now[0] += LOCKOUT + 1
    assert guard("reader", "secret")


def test_a_guesser_locks_out_its_own_address_not_the_real_users(served) -> None:
    # "The login lockout is global, so an anonymous client can keep the real user locked out."
    _, pipeline = served
    settings = pipeline.settings.changed(ui__auth="reader:secret", ui__port=free_port())
    app = build_app(pipeline)
    _, url, _ = launch(app, settings, prevent_thread_lock=True, quiet=True)
    login = f"{url.rstrip('/')}/login"
    # Two clients on two loopback addresses: the server sees each connection's own peer.
    guesser = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    user = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.1"))
    try:
        for _ in range(MAX_FAILURES + 2):
            assert guesser.post(login, data={"username": "reader", "password": "guess"}).status_code >= 400
        assert guesser.post(login, data={"username": "reader", "password": "secret"}).status_code >= 400
        # A spoofed header does not move the guesser to a fresh address.
        spoofed = guesser.post(login, data={"username": "reader", "password": "secret"},
                               headers={"X-Forwarded-For": "10.9.8.7"})
        assert spoofed.status_code >= 400
        assert user.post(login, data={"username": "reader", "password": "secret"}).status_code == 200
    finally:
        guesser.close()
        user.close()
        app.close()


def test_the_lockout_is_per_address() -> None:
    now = [0.0]
    guard = LoginGuard("reader", "secret", clock=lambda: now[0])

    def attempt(address: str, password: str) -> bool:
        token = CLIENT.set(address)
        try:
            return guard("reader", password)
        finally:
            CLIENT.reset(token)

    for _ in range(MAX_FAILURES):
        assert not attempt("203.0.113.9", "nope")
    assert not attempt("203.0.113.9", "secret")
    assert attempt("198.51.100.1", "secret")
    now[0] += LOCKOUT + 1
    assert attempt("203.0.113.9", "secret")
