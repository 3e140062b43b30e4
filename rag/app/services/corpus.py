"""The corpus as users change it, from the chat's Corpus tab or `rag delete`: uploads
are checked (name, type, size, readable) before they enter the corpus folder, and one
under a name already there is saved beside it unless replacing was asked for (the old file
then kept under .replaced/); a deletion
removes the document's file too when the file holds only that document, or its line
from a JSONL file of several, so the next ingest does not bring it back.
"""

import codecs
import filecmp
import json
import os
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rag.ingest.load import SUFFIXES, load_corpus, printable
from rag.pipeline import Pipeline
from rag.settings import Settings

UPLOAD_TYPES = sorted(SUFFIXES)
REPLACED = ".replaced"  # replaced files, kept; hidden, so never ingested


class CorpusError(ValueError):
    """An upload or deletion refused, with the reason to show the user."""


def corpus_name(uploaded: str) -> str:
    """The name an uploaded file gets in the corpus folder: its base name, if acceptable."""
    name = uploaded.replace("\\", "/").rsplit("/", 1)[-1].strip()
    shown = printable(name or uploaded)
    if not name:
        raise CorpusError(f"{printable(uploaded)!r}: the file has no name")
    if name.startswith("."):
        raise CorpusError(f"{shown}: a name starting with a dot is a hidden file, never indexed")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise CorpusError(f"{shown}: control characters in the file name")
    if Path(name).suffix.lower() not in SUFFIXES:
        raise CorpusError(f"{shown}: unsupported file type (use {', '.join(UPLOAD_TYPES)})")
    return name


def _inside(folder: Path, relative: str) -> Path | None:
    """folder/relative, or None if that would lie outside the folder."""
    root = folder.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path != root else None


@dataclass
class Saved:
    name: str  # in the corpus folder
    kept_both: str | None = None  # the file of the upload's own name, left as it was
    replaced: str | None = None  # where the file it replaced was moved (under .replaced/)


def save_upload(uploaded: Path, settings: Settings, replace: bool = False) -> Saved:
    """Check one uploaded file and copy it into the corpus folder. A file of the same name
    is replaced only when asked, and then moved under .replaced/ (which ingest skips);
    otherwise the upload is saved beside it as "name (2).ext"."""
    name = corpus_name(uploaded.name)
    size_mb = uploaded.stat().st_size / 2**20
    if size_mb > settings.ui.max_upload_mb:
        raise CorpusError(f"{name}: {size_mb:.3g} MB is over the {settings.ui.max_upload_mb:g} MB "
                          "upload limit (RAG_UI__MAX_UPLOAD_MB)")
    # Read it as ingest will before it enters the corpus: a file with nothing indexable
    # is refused instead of failing on every later ingest.
    loaded = load_corpus(uploaded)
    if not loaded.documents:
        reasons = "; ".join(e.reason for e in loaded.errors) or "no documents"
        raise CorpusError(f"{name}: {reasons}")
    corpus = Path(settings.corpus_dir)
    corpus.mkdir(parents=True, exist_ok=True)
    target = _inside(corpus, name)  # resolved: a symlink in the corpus cannot redirect the write
    if target is None:
        raise CorpusError(f"{name}: not an acceptable file name")
    saved = Saved(name)
    if target.exists() and not filecmp.cmp(target, uploaded, shallow=False):
        if replace:
            kept = corpus / REPLACED / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") / name
            kept.parent.mkdir(parents=True)
            target.rename(kept)
            saved.replaced = kept.relative_to(corpus).as_posix()
        else:
            saved.kept_both, target = name, _free_name(target)
            saved.name = target.name
    shutil.copyfile(uploaded, target)
    return saved


def _free_name(target: Path) -> Path:
    """"x (2).txt", "x (3).txt", ...: the first that the folder does not have."""
    number = 2
    while (candidate := target.with_name(f"{target.stem} ({number}){target.suffix}")).exists():
        number += 1
    return candidate


def delete_document(pipeline: Pipeline, doc_id: str) -> str:
    """Remove a document from the index, and its file from the corpus folder when the
    file holds only that document (so the next ingest does not bring it back)."""
    doc = next((d for d in pipeline.documents() if d.doc_id == doc_id), None)
    if doc is None:
        raise CorpusError(f"{doc_id}: not in the index")
    file = _inside(Path(pipeline.settings.corpus_dir), doc.source_path)
    if Path(doc.source_path).suffix.lower() == ".jsonl":
        # Its line goes first: were the index changed and the file not, the next ingest
        # would bring the document back.
        left = drop_jsonl_lines(file, doc_id) if file is not None and file.is_file() else None
        pipeline.delete(doc_id)
        if left is None:
            return f"Removed {doc_id} from the index."
        if left == 0:
            file.unlink()  # type: ignore[union-attr]  # is_file() above
            return (f"Removed {doc_id} from the index and deleted {doc.source_path}, "
                    "whose only document it was.")
        return f"Removed {doc_id} from the index and its line from {doc.source_path}."
    pipeline.delete(doc_id)
    if file is not None and file.is_file():
        file.unlink()
        return f"Removed {doc_id} from the index and deleted its file from the corpus folder."
    return f"Removed {doc_id} from the index."


def drop_jsonl_lines(file: Path, doc_id: str) -> int:
    """Remove every line of a JSONL file whose `id` is `doc_id` (a duplicate line would
    otherwise come back in its place); the other lines stay byte for byte. The file is
    replaced atomically, through a hidden file beside it that ingest never reads. Returns
    how many non-blank lines are left (none: the file held only that document)."""
    data = file.read_bytes()
    kept, left = [], 0
    for line in data.splitlines(keepends=True):
        if _jsonl_id(line) == doc_id:
            continue
        kept.append(line)
        left += bool(line.strip())
    temporary = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            out.write(b"".join(kept))
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(file, temporary)
        os.replace(temporary, file)
    finally:
        temporary.unlink(missing_ok=True)
    return left


def _jsonl_id(line: bytes) -> object:
    """The `id` of one JSONL line as ingest reads it (rag/ingest/load.py), or None."""
    try:
        record = json.loads(line.removeprefix(codecs.BOM_UTF8).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return record.get("id") if isinstance(record, dict) else None
