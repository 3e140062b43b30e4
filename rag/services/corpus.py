"""The corpus as users change it, from the chat's Corpus tab or `rag delete`: uploads
are checked (name, type, size, readable) before they enter the corpus folder; a deletion
removes the document's file too when the file holds only that document, so the next
ingest does not bring it back.
"""

import shutil
from pathlib import Path

from rag.load import SUFFIXES, load_corpus
from rag.pipeline import Pipeline
from rag.settings import Settings

UPLOAD_TYPES = sorted(SUFFIXES)


class CorpusError(ValueError):
    """An upload or deletion refused, with the reason to show the user."""


def corpus_name(uploaded: str) -> str:
    """The name an uploaded file gets in the corpus folder: its base name, if acceptable."""
    name = uploaded.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name.startswith(".") or ".." in name or any(ord(ch) < 32 for ch in name):
        raise CorpusError(f"{uploaded!r}: not an acceptable file name")
    if Path(name).suffix.lower() not in SUFFIXES:
        raise CorpusError(f"{name}: unsupported file type (use {', '.join(UPLOAD_TYPES)})")
    return name


def _inside(folder: Path, relative: str) -> Path | None:
    """folder/relative, or None if that would lie outside the folder."""
    root = folder.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path != root else None


def save_upload(uploaded: Path, settings: Settings) -> str:
    """Check one uploaded file and copy it into the corpus folder; returns its name there."""
    name = corpus_name(uploaded.name)
    size_mb = uploaded.stat().st_size / 2**20
    if size_mb > settings.max_upload_mb:
        raise CorpusError(f"{name}: {size_mb:.3g} MB is over the {settings.max_upload_mb:g} MB "
                          "upload limit (RAG_MAX_UPLOAD_MB)")
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
    shutil.copyfile(uploaded, target)
    return name


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
