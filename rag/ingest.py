"""corpus → clean → chunk → embed → Chroma, incrementally (BM25 follows the collection:
`rag.lexical`).

The index mirrors the corpus path: documents whose content hash is unchanged are
skipped, changed ones are re-chunked and replaced, vanished ones are deleted. Each
document is written with one delete and one add, and each chunk records how many
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
from tqdm import tqdm

from rag.chunk import chunk_document, recipe, searchable_text
from rag.load import Corpus, LoadError, content_hash, load_corpus
from rag.settings import Settings
from rag.store import Store

# Documents are embedded and written in groups of about this many chunks, so an
# interrupted run keeps most of its work.
_GROUP_CHUNKS = 64

Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_embedded: int = 0
    total_chunks: int = 0
    errors: list[LoadError] = field(default_factory=list)
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
           progress: Progress | None = None, show_progress: bool = False) -> IngestReport:
    started = time.perf_counter()
    corpus = load_corpus(path)
    report = IngestReport(errors=corpus.errors)
    indexed = store.documents()

    for doc_id in _vanished(corpus, indexed):
        store.delete_document(doc_id)
        report.removed.append(doc_id)
    if report.removed:
        store.mark_changed()

    pending = []
    how = recipe(settings.chunk_tokens, settings.chunk_overlap_tokens)
    for doc in corpus.documents:
        doc.metadata["content_hash"] = content_hash(doc, how)
        before = indexed.get(doc.id_)
        if before and before.complete and before.content_hash == doc.metadata["content_hash"]:
            report.unchanged += 1
            continue
        nodes = chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap_tokens)
        pending.append((doc.id_, before is not None, nodes))

    total = sum(len(nodes) for _, _, nodes in pending)
    bar = tqdm(total=total, unit="chunk", desc="embedding", disable=not (show_progress and total))
    for group in _groups(pending):
        _embed([node for _, _, nodes in group for node in nodes], embed_model)
        stamp_time = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for doc_id, existed, nodes in group:
            for node in nodes:
                node.metadata["ingested_at"] = stamp_time
            store.delete_document(doc_id)
            store.add(nodes)
            (report.updated if existed else report.added).append(doc_id)
            report.chunks_embedded += len(nodes)
            bar.update(len(nodes))
            if progress:
                progress(report.chunks_embedded, total)
        store.mark_changed()
    bar.close()

    report.total_chunks = store.count()
    report.seconds = time.perf_counter() - started
    return report


def _vanished(corpus: Corpus, indexed: dict) -> list[str]:
    present = {doc.id_ for doc in corpus.documents}
    # A file that failed to read keeps what was indexed from it: bad input loses nothing.
    return [doc_id for doc_id, doc in indexed.items()
            if doc_id not in present and doc.source_path not in corpus.failed_sources]


def _groups(pending: list) -> list[list]:
    groups, current, size = [], [], 0
    for item in pending:
        current.append(item)
        size += len(item[2])
        if size >= _GROUP_CHUNKS:
            groups.append(current)
            current, size = [], 0
    return groups + [current] if current else groups


def _embed(nodes: list[TextNode], embed_model: BaseEmbedding) -> None:
    # Sorted by length so each batch pads little, wasting little compute.
    order = sorted(range(len(nodes)), key=lambda i: len(nodes[i].text))
    texts = [searchable_text(nodes[i].metadata.get("title", ""), nodes[i].text) for i in order]
    for i, vector in zip(order, embed_model.get_text_embedding_batch(texts)):
        nodes[i].embedding = vector
