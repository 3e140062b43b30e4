"""Files a careless or hostile user puts in the corpus (issue 21): a news page without a
date (case 3), malformed and zip-bomb .docx files (case 8), and the smaller cases of 12
that concern files. Real files, a real Chroma index, the real CLI in a subprocess; the
fake embedder where the embedding itself is not what is tried."""

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest

from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.fakes import FakeEmbedding
from tests.samples import ROOT

pytestmark = pytest.mark.integration

UNDATED_PAGE = """<html><head><title>Harbour reopens</title></head><body><nav>Home | World</nav>
<article><h1>Harbour of Zorblat reopens</h1>
<p>The harbour of Zorblat reopened after the long storm, officials said on the quay.</p>
<p>Ships that had waited outside since 2000 tonnes of rock fell on the breakwater came in.</p>
</article><footer>© 1995 Zorblat Times. All rights reserved.</footer></body></html>"""


def _pipeline(tmp_path: Path, corpus: Path) -> Pipeline:
    settings = Settings(index_dir=tmp_path / "index", corpus_dir=corpus, _env_file=None)
    return Pipeline(settings, embed_model=FakeEmbedding())


def test_a_page_without_a_date_gets_none(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "harbour.html").write_text(UNDATED_PAGE)
    (corpus / "dated.html").write_text(UNDATED_PAGE.replace(
        "<title>", '<meta property="article:published_time" content="2025-03-04T08:00:00Z"><title>'))
    pipeline = _pipeline(tmp_path, corpus)
    pipeline.ingest()
    docs = {d.doc_id: d for d in pipeline.documents()}
    assert "published_at" not in docs["harbour.html"].metadata
    assert "published_day" not in docs["harbour.html"].metadata
    assert docs["dated.html"].metadata["published_at"] == "2025-03-04"  # a stated date is kept
    found = pipeline.search("harbour of Zorblat reopened", filters=pipeline.filters("1990-01-01"))
    assert {r.node.metadata["doc_id"] for r in found} == {"dated.html"}


def _docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The .docx `data` with its part `name` replaced."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == name else source.read(item))
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A valid-looking .docx whose document.xml is 200 MB of nothing (about 0.2 MB zipped)."""
    good = _docx_bytes("Harbour news.")
    xml = zipfile.ZipFile(io.BytesIO(good)).read("word/document.xml")
    head, tail = xml.split(b"<w:body>")
    return _with_part(good, "word/document.xml", head + b"<w:body>" + b" " * (200 * 2**20) + tail)


def test_malformed_and_bomb_docx_fail_alone_with_one_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = _docx_bytes("The harbour of Zorblat reopened on Monday after the long storm.")
    (corpus / "broken.docx").write_bytes(_with_part(good, "word/document.xml", b"<w:document><open>"))
    (corpus / "not-word.docx").write_bytes(_with_part(good, "word/document.xml", b"<?xml version='1.0'?><x/>"))
    (corpus / "bomb.docx").write_bytes(_zip_bomb())
    (corpus / "good.docx").write_bytes(good)
    (corpus / "notes.txt").write_text("Harbour notes\nForty ships waited outside the breakwater.\n")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rag.app.cli", "ingest", str(corpus), "--index",
                           str(tmp_path / "index")], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ), timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "2 added" in done.stdout and "3 skipped with errors" in done.stdout
    skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 3
    assert any(line.startswith("skipped broken.docx: not a readable .docx file") for line in skipped)
    assert any(line.startswith("skipped not-word.docx: not a readable .docx file") for line in skipped)
    assert any(line.startswith("skipped bomb.docx: refused") and "out of proportion" in line
               for line in skipped)
    assert time.perf_counter() - started < 120  # refused before parsing, not after


def test_malformed_docx_upload_is_refused_with_its_reason(tmp_path: Path) -> None:
    from rag.app.ui.corpus import CorpusError, save_upload

    upload = tmp_path / "upload" / "broken.docx"
    upload.parent.mkdir()
    upload.write_bytes(_with_part(_docx_bytes("Text."), "word/document.xml", b"<w:document>"))
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", _env_file=None)
    with pytest.raises(CorpusError, match=r"^broken\.docx: not a readable \.docx file") as refused:
        save_upload(upload, settings)
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "corpus" / "broken.docx").exists()
