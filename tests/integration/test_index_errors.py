"""A damaged, missing or unreachable index, tried through the real CLI (issue 8, case 4,
case 5's CLI side, and the weak spots of `rag ask`): one line naming the index and what
to do, exit status 2, never a traceback, and nothing created or lost."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.index.lexical import LexicalIndex, lexical_dir
from rag.settings import Settings
from tests.samples import ROOT, SEED_CORPUS
from tests.servers import ChromaServer

pytestmark = pytest.mark.integration
QUESTION = "When did Wagner deploy to Mali?"


def rag(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.app.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, input=stdin, timeout=600)


def one_line_error(done: subprocess.CompletedProcess, *phrases: str) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert all(phrase in lines[0] for phrase in phrases), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """An index of the seed corpus, made once; tests damage copies of it."""
    index = tmp_path_factory.mktemp("pristine") / "index"
    assert rag("ingest", str(SEED_CORPUS), "--index", str(index)).returncode == 0
    return index


@pytest.fixture
def index(ingested: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(ingested, copy)
    return copy


def test_truncated_chroma_database_is_named_and_explained(index: Path) -> None:
    database = index / "chroma" / "chroma.sqlite3"
    with database.open("r+b") as handle:
        handle.truncate(database.stat().st_size // 3)
    for command in (["ask", QUESTION], ["search", "Wagner"], ["ingest", str(SEED_CORPUS)]):
        line = one_line_error(rag(*command, "--index", str(index)), str(index / "chroma"), "damaged",
                              "rag ingest")
        assert line.startswith("rag: ")


def test_empty_chroma_database_is_damaged_not_empty(index: Path) -> None:
    (index / "chroma" / "chroma.sqlite3").write_bytes(b"")
    one_line_error(rag("ask", QUESTION, "--index", str(index)), str(index / "chroma"), "damaged")
    assert (index / "chroma" / "chroma.sqlite3").stat().st_size == 0  # left for the user to see


def test_damaged_bm25_index_is_rebuilt(index: Path) -> None:
    bm25 = lexical_dir(Settings(index_dir=index, _env_file=None))
    for npy in bm25.glob("*.npy"):
        npy.write_bytes(npy.read_bytes()[:40])
    done = rag("ask", QUESTION, "--json", "--index", str(index))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "December 2021" in json.loads(done.stdout)["answer"]
    assert LexicalIndex.load(bm25) is not None  # rebuilt whole on disk


def test_reading_never_creates_an_index(tmp_path: Path) -> None:
    typo = tmp_path / "typo"
    for command in (["ask", QUESTION], ["search", "Wagner"], ["ask", QUESTION, "--json"]):
        done = rag(*command, "--index", f"{typo}/")
        one_line_error(done, "no index at", str(typo), "rag ingest")
        assert done.stdout == ""
    assert not typo.exists()


def test_empty_question_is_an_error(index: Path) -> None:
    for question in ("", "   "):
        done = rag("ask", question, "--json", "--index", str(index))
        one_line_error(done, "question is empty")
        assert done.stdout == ""


def test_interactive_json_keeps_stdout_to_answers(index: Path) -> None:
    done = rag("ask", "--json", "--index", str(index), stdin=f"{QUESTION}\n\n")
    assert done.returncode == 0, done.stderr
    assert "Ask a question" in done.stderr
    assert "December 2021" in json.loads(done.stdout)["answer"]  # stdout is the JSON alone


def test_unreachable_chroma_server_is_named(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "server")
    server.start()
    env = {"RAG_CHROMA_URL": server.url, "RAG_INDEX_DIR": str(tmp_path / "index")}
    assert rag("ingest", str(SEED_CORPUS), env=env).returncode == 0
    server.stop()
    for command in (["ask", QUESTION], ["search", "Wagner"], ["ingest", str(SEED_CORPUS)]):
        one_line_error(rag(*command, env=env), f"Cannot reach the Chroma server at {server.url}")
    server.start()  # back: everything is still there
    try:
        done = rag("ask", QUESTION, "--json", env=env)
        assert "December 2021" in json.loads(done.stdout)["answer"], done.stderr
    finally:
        server.stop()
