"""The corpus as users change it, from the chat's Corpus tab or `rag delete`: uploads
are checked (name, type, size, readable) before they enter the corpus folder, and one
under a name already there is saved beside it unless replacing was asked for (the old file
then kept under .replaced/); a deletion
removes the document's file too when the file holds only that document, so the next
ingest does not bring it back.
"""

import filecmp
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
    pipeline.delete(doc_id)
    if Path(doc.source_path).suffix.lower() == ".jsonl":
        return (f"Removed {doc_id} from the index. It is still a line of {doc.source_path}, so "
                "the next ingest of the corpus folder will add it back unless that line goes.")
    file = _inside(Path(pipeline.settings.corpus_dir), doc.source_path)
    if file is not None and file.is_file():
        file.unlink()
        return f"Removed {doc_id} from the index and deleted its file from the corpus folder."
    return f"Removed {doc_id} from the index."
