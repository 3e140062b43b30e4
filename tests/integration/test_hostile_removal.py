"""A kill between the two steps of a removal (issue 21, case 5): the document's chunks are
gone, its sentence vectors not yet. The next start (an ingest, as `rag serve` and `rag
ingest` begin with, or the next deletion) must finish the removal. A real process killed
with SIGKILL at that moment, a real index."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.samples import ROOT

pytestmark = pytest.mark.integration

DOC = "003_1c59dd173ef6f39b.txt"
KILLED_BETWEEN_STEPS = """
import os, signal, sys
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.index.store import Store

delete = Store.delete_document
def delete_then_die(self, doc_id):
    delete(self, doc_id)
    os.kill(os.getpid(), signal.SIGKILL)  # the chunks are gone, the vectors not yet
Store.delete_document = delete_then_die
Pipeline(Settings(index_dir=sys.argv[1], corpus_dir=sys.argv[2], _env_file=None)).delete(sys.argv[3])
"""


def _rows(settings: Settings, doc_id: str) -> int:
    path = Path(settings.index_dir) / "sentences" / f"{settings.collection}.sqlite"
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM sentences WHERE doc_id = ?", (doc_id,)).fetchone()[0]


@pytest.mark.parametrize("restart", ["ingest", "delete"])
def test_a_kill_mid_removal_leaves_no_vectors_of_the_document(settings: Settings, restart: str) -> None:
    Pipeline(settings).ingest()
    assert DOC in {d.doc_id for d in Pipeline(settings).documents()} and _rows(settings, DOC)
    (Path(settings.corpus_dir) / DOC).unlink()  # gone from the folder too, as the Corpus tab does
    killed = subprocess.run([sys.executable, "-c", KILLED_BETWEEN_STEPS, str(settings.index_dir),
                             str(settings.corpus_dir), DOC], cwd=ROOT, env=dict(os.environ),
                            capture_output=True, timeout=600)
    assert killed.returncode == -9, killed.stderr
    pipeline = Pipeline(settings)
    assert DOC not in {d.doc_id for d in pipeline.documents()} and _rows(settings, DOC)  # the bug's state
    if restart == "ingest":
        pipeline.ingest()
    else:
        other = next(d.doc_id for d in pipeline.documents())
        pipeline.delete(other)
        assert _rows(settings, other) == 0
    assert _rows(settings, DOC) == 0
