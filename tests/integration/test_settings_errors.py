"""A bad setting stops `python app.py` and `rag serve` in one line, before the model loads or the
corpus is ingested (case 6 of the hardening issue)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.samples import ROOT


def _run(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    # HOME apart: what a library caches there stays out of the checkout.
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(home), **env})


@pytest.mark.parametrize(("env", "said"), [
    ({"RAG_PRESET": "nosuch"}, "rag: no settings preset 'nosuch' (there are default, sentence-evidence)"),
    # Refused before the model loads or the corpus is ingested.
    ({"RAG_UI__PORT": "99999"}, "rag: RAG_UI__PORT=99999 is out of range: it must be 1 to 65535"),
    ({"RAG_RETRIEVL__TOP_K": "3"}, "rag: RAG_RETRIEVL__TOP_K sets nothing"),
])
def test_app_py_says_a_bad_setting_in_one_line_as_rag_serve_does(tmp_path, env, said) -> None:
    result = _run("app.py", home=tmp_path, RAG_INDEX_DIR=str(tmp_path / "index"),
                  RAG_CORPUS_DIR=str(tmp_path / "none"), **env)
    assert result.returncode == 2 and result.stderr.startswith(said)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "index").exists()
    served = _run("-m", "rag.app.cli", "serve", home=tmp_path, RAG_INDEX_DIR=str(tmp_path / "index"), **env)
    assert (served.returncode, served.stderr) == (2, result.stderr)


def test_rag_serve_port_option_out_of_range_is_one_line(tmp_path) -> None:
    result = _run("-m", "rag.app.cli", "serve", "--port", "99999", home=tmp_path,
                  RAG_INDEX_DIR=str(tmp_path / "index"))
    assert result.returncode == 2
    assert result.stderr == "rag: RAG_UI__PORT=99999 is out of range: it must be 1 to 65535\n"
