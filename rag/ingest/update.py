"""corpus → clean → chunk → embed → Chroma, incrementally (BM25 follows the collection:
`rag.index.lexical`).

The index mirrors the corpus path: documents whose content hash is unchanged are
skipped, changed ones are re-chunked and replaced, vanished ones are deleted. Each
group of documents is written with one add after deleting their old versions, and each chunk records how many
chunks its document has, so a run killed at any point leaves at worst a document
missing or visibly incomplete, and the next run repairs it.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import TextNode

from rag.ingest.chunk import chunk_document, recipe
from rag.ingest.load import Corpus, LoadError, content_hash, load_corpus
from rag.ingest.progress import EmbeddingProgress
from rag.index.sentence_vectors import SentenceVectors
from rag.settings import Settings
from rag.index.lexical import searchable_text
from rag.index.store import IndexedDocument, Store

# Chunks are embedded and written in batches of about this many, a large document's
# too, so progress shows as it goes and an interrupted run keeps most of its work.
_GROUP_CHUNKS = 64

Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
Warn = Callable[[LoadError], None]  # told each warning before the embedding starts


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_embedded: int = 0
    total_chunks: int = 0
    errors: list[LoadError] = field(default_factory=list)
    # About documents added or updated now: large ones, ones cleaning cut much from.
    warnings: list[LoadError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
                f"{self.unchanged} unchanged; {self.chunks_embedded} chunks embedded, "
                f"{self.total_chunks} in the index; {len(self.errors)} skipped with errors; "
                f"{self.seconds:.1f}s")


def ingest(path: Path, store: Store, embed_model: BaseEmbedding, settings: Settings,
           progress: Progress | None = None, show_progress: bool = False,
           only: list[str] | None = None, warn: Warn | None = None,
           sentence_model: BaseEmbedding | None = None) -> IngestReport:
    """`only`: ingest just these files of the folder `path` (an upload), leaving the
    rest of the index as it is, without reading the folder or listing the index.
    `sentence_model` embeds the stored sentence vectors (default: `embed_model`)."""
    started = time.perf_counter()
    corpus = load_corpus(path, only)
    report = IngestReport(errors=corpus.errors)
    sentences = SentenceVectors(settings)
    finish_removals(store, sentences)
    indexed = store.documents() if only is None else _indexed_from(store, corpus, only)

    for doc_id in _vanished(corpus, indexed):
        remove_document(store, sentences, doc_id)
        report.removed.append(doc_id)
    if report.removed:
        store.mark_changed()

    pending: list[_Piece] = []
    how = recipe(settings.ingest.chunk_tokens, settings.ingest.chunk_overlap_tokens)
    for doc in corpus.documents:
        doc.metadata["content_hash"] = content_hash(doc, how)
        before = indexed.get(doc.id_)
        if before and before.complete and before.content_hash == doc.metadata["content_hash"]:
            report.unchanged += 1
            continue
        if (megabytes := len(doc.text.encode()) / 2**20) > settings.ingest.warn_document_mb:
            report.warnings.append(LoadError(doc.id_, (
                f"{megabytes:.1f} MB of text, over the {settings.ingest.warn_document_mb:g} MB warning "
                "size (RAG_INGEST__WARN_DOCUMENT_MB): it is embedded and saved in batches, which takes a while")))
        nodes = chunk_document(doc, settings.ingest.chunk_tokens, settings.ingest.chunk_overlap_tokens)
        missing = _still_missing(store, before, nodes)
        pending += _pieces(doc.id_, before is not None, missing, resumed=len(missing) < len(nodes))
    written = {piece.doc_id for piece in pending}
    sources = {doc.metadata["source_path"] for doc in corpus.documents if doc.id_ in written}
    report.warnings[:0] = [w for w in corpus.warnings if _concerns(w, sources)]
    if warn:
        for warning in report.warnings:
            warn(warning)

    total = sum(len(piece.nodes) for piece in pending)
    bar = EmbeddingProgress(total, "embedding", show_progress)
    for group in _groups(pending):
        embed_chunks([node for piece in group for node in piece.nodes], embed_model)
        # Before the chunks: a chunk in the index always has its sentence vectors.
        sentences.write([(piece.doc_id, piece.nodes, piece.first) for piece in group],
                        sentence_model or embed_model)
        stamp_time = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for piece in group:
            for node in piece.nodes:
                node.metadata["ingested_at"] = stamp_time
            if piece.first:
                store.delete_document(piece.doc_id)  # the old version, or a broken one
        # One add per group: a Chroma write costs ~0.1 s a call, little per chunk.
        store.add([node for piece in group for node in piece.nodes])
        for piece in group:
            if piece.last:
                (report.updated if piece.existed else report.added).append(piece.doc_id)
            report.chunks_embedded += len(piece.nodes)
            bar.update(len(piece.nodes))
        store.mark_changed()
        if progress:
            progress(report.chunks_embedded, total)
    bar.close()

    report.total_chunks = store.count()
    report.seconds = time.perf_counter() - started
    return report


def remove_document(store: Store, sentences: SentenceVectors, doc_id: str) -> None:
    """A document's chunks, then its sentence vectors, journaled in between: a kill after
    the first step is finished by `finish_removals`, never leaving vectors of a document
    that is gone."""
    sentences.begin_removal(doc_id)
    store.delete_document(doc_id)
    sentences.finish_removal(doc_id)
    store.mark_changed()


def finish_removals(store: Store, sentences: SentenceVectors) -> None:
    """Removals an earlier run began and did not finish."""
    for doc_id in sentences.pending_removals():
        remove_document(store, sentences, doc_id)


def _indexed_from(store: Store, corpus: Corpus, sources: list[str]) -> dict:
    """The indexed documents of these files, and of any other file holding one of the ids
    just read: an id that another file already has is a duplicate, skipped as a folder
    ingest would skip it."""
    ids = [doc.id_ for doc in corpus.documents]
    match = {"source_path": {"$in": sources}}
    indexed = store.documents({"$or": [match, {"doc_id": {"$in": ids}}]} if ids else match)
    for doc in list(corpus.documents):
        before = indexed.get(doc.id_)
        if before and before.source_path not in sources:
            corpus.errors.append(LoadError(doc.metadata["source_path"], f"duplicate document id "
                                           f"{doc.id_!r} (first in {before.source_path})"))
            corpus.documents.remove(doc)
            del indexed[doc.id_]
    return indexed


def _vanished(corpus: Corpus, indexed: dict) -> list[str]:
    present = {doc.id_ for doc in corpus.documents}
    # A file that failed to read keeps what was indexed from it: bad input loses nothing.
    return [doc_id for doc_id, doc in indexed.items()
            if doc_id not in present and doc.source_path not in corpus.failed_sources]


@dataclass
class _Piece:
    """Up to a batch of one document's chunks; a large document comes in several."""
    doc_id: str
    existed: bool  # the index had a version of it
    nodes: list[TextNode]
    first: bool  # writing it first deletes what the index holds of the document
    last: bool  # the document is whole once it is written


def _still_missing(store: Store, before: IndexedDocument | None, nodes: list[TextNode]) -> list[TextNode]:
    """The chunks left to write. An interrupted run left part of this very version (same
    content hash): only the rest is embedded, so a large document resumes where it stopped."""
    if before is None or before.content_hash != nodes[0].metadata["content_hash"]:
        return nodes
    present = set(store.chunk_ids({"doc_id": before.doc_id}))
    wanted = {node.node_id for node in nodes}
    if not present <= wanted:  # chunks of another version linger: write it whole
        return nodes
    return [node for node in nodes if node.node_id not in present]


def _pieces(doc_id: str, existed: bool, nodes: list[TextNode], resumed: bool) -> list[_Piece]:
    starts = range(0, len(nodes), _GROUP_CHUNKS)
    return [_Piece(doc_id, existed, nodes[i:i + _GROUP_CHUNKS], first=i == 0 and not resumed,
                   last=i + _GROUP_CHUNKS >= len(nodes)) for i in starts]


def _concerns(warning: LoadError, sources: set[str]) -> bool:
    """Whether a load warning is about a file written now ("x.txt", "x.jsonl:3")."""
    return warning.where in sources or warning.where.rsplit(":", 1)[0] in sources


def _groups(pending: list[_Piece]) -> list[list[_Piece]]:
    groups, current, size = [], [], 0
    for piece in pending:
        current.append(piece)
        size += len(piece.nodes)
        if size >= _GROUP_CHUNKS:
            groups.append(current)
            current, size = [], 0
    return groups + [current] if current else groups


def embed_chunks(nodes: list[TextNode], embed_model: BaseEmbedding) -> None:
    # Sorted by length so each batch pads little, wasting little compute.
    order = sorted(range(len(nodes)), key=lambda i: len(nodes[i].text))
    texts = [searchable_text(nodes[i].metadata.get("title", ""), nodes[i].text) for i in order]
    for i, vector in zip(order, embed_model.get_text_embedding_batch(texts)):
        nodes[i].embedding = vector
