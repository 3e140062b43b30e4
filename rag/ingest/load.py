"""Read a corpus folder or file into cleaned llama-index Documents.

Document ids are paths relative to the corpus root, or the `id` of a JSONL line.
Each format has its reader in `rag/ingest/formats/`; plain text goes through `rag/ingest/clean.py`.
A file or line that cannot be read is reported with the reason and skipped, so
one broken file never stops the rest of the corpus from being ingested.
"""

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.schema import Document

from rag.ingest.clean import clean_text, cleaning_note
from rag.ingest.formats import Extracted
from rag.time.days import day_number
from rag.ingest.formats.fields import dated_and_sourced
from rag.ingest.formats.front_matter import split_front_matter
from rag.ingest.formats.pdf import read_pdf
from rag.ingest.formats.sidecar import NAME as SIDECAR
from rag.ingest.formats.sidecar import read_sidecar
from rag.ingest.formats.web import read_html
from rag.ingest.formats.word import read_docx
from rag.time.mentions import find_dates, published_after

# Formats read from bytes by their own library; the others are UTF-8 text.
_BINARY_READERS = {".pdf": read_pdf, ".docx": read_docx}
SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl", *_BINARY_READERS}
_TITLE_MAX = 120


@dataclass(frozen=True)
class LoadError:
    where: str  # "path" or "path:line"
    reason: str

    def __str__(self) -> str:
        return f"{printable(self.where)}: {self.reason}"


def printable(name: str) -> str:
    """A file name or id on one line: control characters (a newline in a name) escaped."""
    return "".join(ch.encode("unicode_escape").decode() if unicodedata.category(ch) == "Cc" else ch
                   for ch in name)


@dataclass
class Corpus:
    documents: list[Document]
    errors: list[LoadError]
    # Files that failed, wholly or in part (a bad JSONL line): every document indexed
    # from them before is kept, since what a bad line held cannot be known.
    failed_sources: set[str]
    # Read, but worth telling the user (cleaning removed much of a document).
    warnings: list[LoadError] = field(default_factory=list)


def load_corpus(path: Path, only: list[str] | None = None) -> Corpus:
    """Every readable document under `path` (a folder, searched recursively, or one file),
    or in the files `only` names (relative to the folder `path`)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"corpus path does not exist: {path}")
    root = path if path.is_dir() else path.parent
    files = sorted(root / name for name in only) if only is not None else sorted(_corpus_files(path))
    corpus = Corpus(documents=[], errors=[], failed_sources=set())
    seen: dict[str, str] = {}
    sidecars: dict[Path, dict[str, dict[str, str]]] = {}
    for file in files:
        source = file.relative_to(root).as_posix()
        if file.name == SIDECAR:
            continue
        if file.parent not in sidecars:
            sidecars[file.parent] = _sidecar(file.parent, root, corpus.errors)
        if file.suffix.lower() not in SUFFIXES:
            corpus.errors.append(LoadError(source, _unsupported(file)))
            continue
        if path.is_dir() and not file.resolve().is_relative_to(path.resolve()):
            corpus.errors.append(LoadError(source, "a link to a file outside the corpus folder"))
            corpus.failed_sources.add(source)
            continue
        errors_before = len(corpus.errors)
        try:
            docs = list(_documents(file, source, corpus.errors, corpus.warnings,
                                   sidecars[file.parent].get(file.name, {})))
        except ValueError as error:
            corpus.errors.append(LoadError(source, str(error)))
            corpus.failed_sources.add(source)
            continue
        except Exception as error:  # a reader's library failing on odd input: this file only
            corpus.errors.append(LoadError(source, f"could not be read ({_one_line(error)})"))
            corpus.failed_sources.add(source)
            continue
        if len(corpus.errors) > errors_before:
            corpus.failed_sources.add(source)
        for doc in docs:
            if doc.id_ in seen:
                corpus.errors.append(
                    LoadError(source, f"duplicate document id {doc.id_!r} (first in {seen[doc.id_]})")
                )
                continue
            seen[doc.id_] = source
            corpus.documents.append(doc)
    return corpus


def content_hash(doc: Document, recipe: str = "") -> str:
    """Hash of what gets indexed and how (`recipe`: chunking parameters), so unchanged
    documents are never embedded twice and a new chunking re-indexes everything."""
    payload = json.dumps([doc.text, doc.metadata, recipe], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _sidecar(folder: Path, root: Path, errors: list[LoadError]) -> dict[str, dict[str, str]]:
    fields, problems = read_sidecar(folder)
    prefix = folder.relative_to(root).as_posix().removeprefix(".").lstrip("/")
    errors += [LoadError(f"{prefix}/{where}" if prefix else where, why) for where, why in problems]
    return fields


def _corpus_files(path: Path) -> Iterator[Path]:
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise ValueError(f"{path}: {_unsupported(path)}")
        yield path
        return
    for file in path.rglob("*"):
        hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
        if file.is_file() and not hidden:
            yield file


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())[:160]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _unsupported(file: Path) -> str:
    kind = file.suffix.lower() or "without an extension"
    return f"unsupported file type {kind} (use {', '.join(sorted(SUFFIXES))})"


def _read_text(file: Path) -> str:
    data = file.read_bytes()
    if b"\x00" in data:
        raise ValueError("binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text (byte {error.start})") from None
    if not text.strip():
        raise ValueError("empty file")
    return text


def _documents(file: Path, source: str, errors: list[LoadError],
               warnings: list[LoadError], sidecar: dict[str, str]) -> Iterator[Document]:
    """`sidecar`: the file's line in a metadata.csv beside it, filling what the file lacks."""
    suffix = file.suffix.lower()
    if suffix in _BINARY_READERS:
        if not (data := file.read_bytes()):
            raise ValueError("empty file")
        extracted = _BINARY_READERS[suffix](data)
    elif suffix == ".jsonl":
        yield from _jsonl_documents(source, _read_text(file), errors, warnings)
        return
    elif suffix in {".html", ".htm"}:
        extracted = read_html(_read_text(file))
    else:
        extracted = _plain_text(_read_text(file), source, warnings)
    # Both read for their date and source first, so the file's own "date" beats the sidecar's.
    given = {key: value for key, value in dated_and_sourced(sidecar).items() if key != "title"}
    yield _document(source, extracted.text, extracted.title or sidecar.get("title"),
                    {**given, **dated_and_sourced(extracted.metadata), "source_path": source},
                    extracted.page_starts)


def _plain_text(text: str, source: str, warnings: list[LoadError]) -> Extracted:
    fields, body = split_front_matter(text)
    cleaned = clean_text(body)
    if not cleaned:
        raise ValueError("no article text left after removing boilerplate")
    if note := cleaning_note(body, cleaned):
        warnings.append(LoadError(source, note))
    return Extracted(text=cleaned, title=fields.pop("title", None), metadata=fields)


def _jsonl_documents(source: str, text: str, errors: list[LoadError],
                     warnings: list[LoadError]) -> Iterator[Document]:
    lines: dict[str, int] = {}  # document id -> the line that gave it
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append(LoadError(where, f"invalid JSON ({error.msg})"))
            continue
        if not isinstance(record, dict):
            errors.append(LoadError(where, "expected a JSON object"))
            continue
        doc_id, body = record.pop("id", None), record.pop("text", None)
        if not isinstance(doc_id, str) or not doc_id.strip():
            errors.append(LoadError(where, "missing or empty string field 'id'"))
            continue
        if doc_id in lines:
            errors.append(LoadError(where, f"duplicate document id {doc_id!r} "
                                           f"(lines {lines[doc_id]} and {number}; the first is kept)"))
            continue
        lines[doc_id] = number
        if not isinstance(body, str) or not (cleaned := clean_text(body)):
            errors.append(LoadError(where, f"document {doc_id!r} has no 'text'"))
            continue
        if note := cleaning_note(body, cleaned):
            warnings.append(LoadError(where, note))
        title = record.pop("title", None)
        metadata = {key: _scalar(value) for key, value in record.items() if value is not None}
        yield _document(doc_id, cleaned, title if isinstance(title, str) else None,
                        {**metadata, "source_path": source})


def _document(doc_id: str, text: str, title: str | None, metadata: dict,
              page_starts: list[int] | None = None) -> Document:
    title = " ".join((title or _first_line_title(text)).split())
    metadata = {key: _scalar(value) for key, value in dated_and_sourced(metadata).items()}
    metadata.update(_earliest_publication(text, metadata))
    if page_starts is not None:
        metadata["page_starts"] = json.dumps(page_starts)
    doc = Document(id_=doc_id, text=text, metadata={"doc_id": doc_id, "title": title, **metadata})
    return doc


def _earliest_publication(text: str, metadata: dict) -> dict:
    """`published_min_day`, the earliest day the document can have been published (what
    an "as of" date compares): its publication day, else the latest date its text states
    (also kept as `published_after`, "2021-12"), else 0, unknown."""
    if "published_day" in metadata:
        return {"published_min_day": metadata["published_day"]}
    if after := published_after(find_dates(text)):
        return {"published_after": after, "published_min_day": day_number(f"{after}-01-01"[:10])}
    return {"published_min_day": 0}


def _first_line_title(text: str) -> str:
    line = text.split("\n", 1)[0].lstrip("# ").strip()
    if len(line) <= _TITLE_MAX:
        return line
    return line[:_TITLE_MAX].rsplit(" ", 1)[0] + "…"


def _scalar(value: object) -> str | int | float | bool:
    # Chroma metadata holds only scalars.
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False)
