"""`rag ingest` and `rag search` as processes, with the real embedder, on a corpus with a
link out of it and boilerplate to clean."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.samples import ROOT

ARTICLE = ("The river port of Kessa handled a record tonnage of grain this season. "
           "Officials credited the new locks on the upper channel. ")


@pytest.mark.integration
def test_cli_reports_links_outside_cleaning_and_keeps_going(tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret memo\nThe vault code is 1234.\n")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "kessa.txt").write_text(f"Kessa grain\n{ARTICLE}\nRelated stories\n" +
                                      "\n".join(f"Other headline number {i}" for i in range(30)))
    index = tmp_path / "index"
    done = subprocess.run([sys.executable, "-m", "rag.app.cli", "ingest", str(corpus), "--index", str(index)],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=600)
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    assert "skipped secret.txt: a link to a file outside the corpus folder" in done.stderr
    assert "warning: kessa.txt: cleaning removed" in done.stderr
    search = subprocess.run([sys.executable, "-m", "rag.app.cli", "search", "vault code", "--json",
                             "--index", str(index)], capture_output=True, text=True, cwd=ROOT,
                            timeout=600)
    assert all(row["doc_id"] != "secret.txt" for row in json.loads(search.stdout))
    again = subprocess.run([sys.executable, "-m", "rag.app.cli", "ingest", str(corpus), "--index", str(index)],
                           capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert "warning" not in again.stderr  # said once, when the document was written
