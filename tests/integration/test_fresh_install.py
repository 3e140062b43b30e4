"""`pip install -e .` alone, in a fresh venv, gives a working install: it ingests a saved web
page (trafilatura, lxml's HTML cleaning) and answers a question with a citation. `make install`
adds the test extra, which happened to pull in a working lxml; this test installs no extra.

Slow (minutes: every dependency is installed, from pip's cache where it has them); skipped
only when pip cannot reach a package index."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.samples import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PAGE = """<!doctype html><html><head><title>Harbour council repaints the lighthouse</title>
<meta property="og:title" content="Harbour council repaints the lighthouse">
<meta name="date" content="2024-05-02"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="cookie-banner">We use cookies. Accept all cookies?</div>
<article><h1>Harbour council repaints the lighthouse</h1>
<p>The Zorbian lighthouse was painted teal in 1987 by the harbour council, after a vote of its members.</p>
<p>The council said the new colour would make the tower easier to see from the sea in fog.</p>
<p>Fishermen in the port welcomed the change and asked for new lamps as well.</p>
</article><footer>Share this article. Related stories.</footer></body></html>
"""


def _source_copy(folder: Path) -> Path:
    """The package as a clone has it, without this checkout's venvs, index or caches."""
    source = folder / "src"
    for name in ("rag", "models"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    return source


def _env() -> dict[str, str]:
    # No RAG_* of the caller's, nor its venv: the fresh one alone.
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("RAG_", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"))}


def _reaches_an_index(python: Path, folder: Path) -> bool:
    probe = subprocess.run([str(python), "-m", "pip", "download", "--no-deps", "--quiet", "-d",
                            str(folder / "probe"), "lxml_html_clean"],
                           capture_output=True, text=True, env=_env(), timeout=180)
    return probe.returncode == 0


def test_pip_install_alone_answers_a_question(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python, rag = venv / "bin" / "python", venv / "bin" / "rag"
    if not _reaches_an_index(python, tmp_path):
        pytest.skip("pip cannot reach a package index")
    source = _source_copy(tmp_path)
    # pip's cache as configured (not disabled); no byte-compiling of the dependencies, which
    # is most of the time here and no part of what this test checks.
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-compile", "-e", str(source)],
                               capture_output=True, text=True, env=_env(), timeout=600)
    assert installed.returncode == 0, installed.stderr[-3000:]

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "lighthouse.html").write_text(PAGE, encoding="utf-8")
    ingested = subprocess.run([str(rag), "ingest", str(corpus), "--index", str(index)], capture_output=True,
                              text=True, env=_env(), cwd=tmp_path, timeout=300)
    assert ingested.returncode == 0, ingested.stderr[-3000:]
    asked = subprocess.run([str(rag), "ask", "What colour was the Zorbian lighthouse painted in 1987?",
                            "--index", str(index), "--json"], capture_output=True, text=True, env=_env(),
                           cwd=tmp_path, timeout=300)
    assert asked.returncode == 0, asked.stderr[-3000:]
    assert "teal" in asked.stdout and '"doc_id": "lighthouse.html"' in asked.stdout
    assert "cookies" not in asked.stdout  # the page's banner was cleaned away
