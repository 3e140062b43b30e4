"""Read a corpus folder or file into cleaned llama-index Documents.

Document ids are paths relative to the corpus root, or the `id` of a JSONL line.
A file or line that cannot be read is reported with the reason and skipped, so
one broken file never stops the rest of the corpus from being ingested.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from llama_index.core.schema import Document

from rag.clean import clean_text

SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl"}
_TITLE_MAX = 120


@dataclass(frozen=True)
class LoadError:
    where: str  # "path" or "path:line"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class Corpus:
    documents: list[Document]
    errors: list[LoadError]
    # Files that failed as a whole: their previously indexed documents are kept.
    failed_sources: set[str]


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
    for file in files:
        source = file.relative_to(root).as_posix()
        try:
            text = _read_text(file)
            docs = list(_documents(file, source, text, corpus.errors))
        except ValueError as error:
            corpus.errors.append(LoadError(source, str(error)))
            corpus.failed_sources.add(source)
            continue
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


def _corpus_files(path: Path) -> Iterator[Path]:
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise ValueError(f"{path}: unsupported file type (use {', '.join(sorted(SUFFIXES))})")
        yield path
        return
    for file in path.rglob("*"):
        hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
        if file.is_file() and not hidden and file.suffix.lower() in SUFFIXES:
            yield file


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


def _documents(file: Path, source: str, text: str, errors: list[LoadError]) -> Iterator[Document]:
    suffix = file.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl_documents(source, text, errors)
        return
    title = None
    if suffix in {".html", ".htm"}:
        title, text = _html_text(text)
    cleaned = clean_text(text)
    if not cleaned:
        raise ValueError("no article text left after removing boilerplate")
    yield _document(source, cleaned, title, {"source_path": source})


def _jsonl_documents(source: str, text: str, errors: list[LoadError]) -> Iterator[Document]:
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
        if not isinstance(body, str) or not (cleaned := clean_text(body)):
            errors.append(LoadError(where, f"document {doc_id!r} has no 'text'"))
            continue
        title = record.pop("title", None)
        metadata = {key: _scalar(value) for key, value in record.items() if value is not None}
        yield _document(doc_id, cleaned, title if isinstance(title, str) else None,
                        {**metadata, "source_path": source})


def _document(doc_id: str, text: str, title: str | None, metadata: dict) -> Document:
    title = " ".join((title or _first_line_title(text)).split())
    doc = Document(id_=doc_id, text=text, metadata={"doc_id": doc_id, "title": title, **metadata})
    return doc


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


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "nav", "footer", "aside", "noscript", "template", "form"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
              "article", "header", "blockquote", "table", "ul", "ol", "td", "th", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: str | None = None
        self._skipping = 0
        self._in_title = False
        self._h1: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "h1" and self._h1 is None:
            self._h1 = []
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "h1" and self._h1 is not None and not self.title:
            self.title = " ".join("".join(self._h1).split()) or None
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._in_title:
            self.title = self.title or " ".join(data.split()) or None
            return
        if self._h1 is not None and not self.title:
            self._h1.append(data)
        self.parts.append(data)


def _html_text(html: str) -> tuple[str | None, str]:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.title, "".join(parser.parts)
