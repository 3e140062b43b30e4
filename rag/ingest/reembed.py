"""`rag ingest --reembed`: every vector of an index replaced by this process's embedders.

Documents, chunk ids, texts and metadata stay as they are (so BM25, which follows the
chunk ids, stays valid); each chunk's vector is updated in place and each stored
sentence vector rewritten, from the texts the index itself holds: no corpus needed.
The record (rag/index/embedder.py) names the new embedders, marked unfinished until the
last vector is written, so a run cut short leaves an index that says so and refuses to
answer until `--reembed` runs again.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import TextNode

from rag.index import embedder as index_embedder
from rag.index.errors import IndexUnavailable, guarded
from rag.ingest.update import embed_chunks
from rag.index.lock import WriterLock
from rag.ingest.progress import EmbeddingProgress
from rag.index.sentence_vectors import SentenceVectors
from rag.settings import Settings
from rag.index.store import Store

_PAGE = 256  # chunks embedded and written per Chroma update


@dataclass
class ReembedReport:
    documents: int
    chunks: int
    sentences: int
    embedder: str
    seconds: float

    def summary(self) -> str:
        return (f"re-embedded {self.chunks} chunks of {self.documents} documents and "
                f"{self.sentences} sentences with {self.embedder}; {self.seconds:.1f}s")


class Reembedder:
    def __init__(self, settings: Settings, chunks: BaseEmbedding, sentences: BaseEmbedding) -> None:
        self.settings, self.chunks, self.sentences = settings, chunks, sentences

    @guarded
    def run(self, show_progress: bool = False) -> ReembedReport:
        started = time.perf_counter()
        store = Store(self.settings, create=False)
        with WriterLock(self.settings.index_dir, enabled=not self.settings.chroma_url):
            ids, texts, metas = store.chunks()
            self._same_width(store, ids)
            want = index_embedder.wanted(self.chunks, self.sentences)
            index_embedder.write(store, {**want, index_embedder.REEMBEDDING: "1"})
            store.mark_changed()  # readers (on a Chroma server) look again, and refuse it
            vectors, embedded = SentenceVectors(self.settings), 0
            seen: set[str] = set()
            progress = EmbeddingProgress(len(ids), "re-embedding", show_progress)
            for start in range(0, len(ids), _PAGE):
                nodes = [TextNode(id_=i, text=t, metadata=m) for i, t, m in
                         zip(ids[start:start + _PAGE], texts[start:start + _PAGE], metas[start:start + _PAGE])]
                embed_chunks(nodes, self.chunks)
                fresh: list[Sequence[float]] = [n.embedding or [] for n in nodes]
                store.collection.update(ids=[n.node_id for n in nodes], embeddings=fresh)
                # Chunk ids sort by document, so a document's chunks come together: its
                # first page replaces its rows, a later page adds to them.
                pieces: dict[str, list[TextNode]] = {}
                for node in nodes:
                    pieces.setdefault(node.metadata["doc_id"], []).append(node)
                embedded += vectors.write([(doc, group, doc not in seen) for doc, group in pieces.items()],
                                          self.sentences, reuse=False)
                seen |= pieces.keys()
                progress.update(len(nodes))
            progress.close()
            index_embedder.write(store, want, drop=(index_embedder.REEMBEDDING,))
            store.mark_changed()
        return ReembedReport(len(seen), len(ids), embedded, want[index_embedder.CHUNKS],
                             time.perf_counter() - started)

    def _same_width(self, store: Store, ids: list[str]) -> None:
        """Chroma fixes a collection's vector width with its first vector."""
        if not ids:
            return
        stored = store.collection.get(ids=ids[:1], include=["embeddings"])["embeddings"]
        have = len(stored[0]) if stored is not None else 0
        want = len(self.chunks.get_text_embedding("width"))
        if have != want:
            raise IndexUnavailable(
                f"the index at {self.settings.index_dir} holds {have}-d vectors and "
                f"{self.chunks.model_name} makes {want}-d ones, which it cannot take in place: "
                "delete the index folder and run `rag ingest` to rebuild it from the corpus")


def reembed(settings: Settings, show_progress: bool = False) -> ReembedReport:
    """Re-embed the index of `settings` with its RAG_INGEST__EMBEDDER and that one's sentence embedder."""
    from rag.embed.embedders import embedder, sentence_embedder

    chunks = embedder(settings)
    return Reembedder(settings, chunks, sentence_embedder(settings, chunks)).run(show_progress)
