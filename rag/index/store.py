"""The Chroma collection behind the index, through llama-index's ChromaVectorStore.

A local PersistentClient under the index folder by default; RAG_CHROMA_URL points
at a `chroma run` server instead, with nothing else changing. The collection's chunk
metadata is the only record of what is indexed, so there is no second manifest to
fall out of step with it.
"""

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError
from llama_index.core.schema import BaseNode, TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.index.errors import chroma_path, damaged, missing
from rag.settings import Settings

# Collection metadata key of the generation token (see Store.generation).
_GENERATION = "rag:generation"


@dataclass
class IndexedDocument:
    doc_id: str
    title: str
    content_hash: str
    source_path: str
    chunks: int  # chunks present in the collection
    expected_chunks: int  # chunks the document was split into
    ingested_at: str
    metadata: dict

    @property
    def complete(self) -> bool:
        return self.chunks == self.expected_chunks


def chroma_client(settings: Settings, create: bool = True) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path = chroma_path(settings)
    database = path / "chroma.sqlite3"
    if database.exists() and database.stat().st_size == 0:
        # Chroma would quietly start a new, empty index in it: say what happened instead.
        raise damaged(settings, "chroma.sqlite3 is empty")
    if not create and not database.exists():
        raise missing(settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class Store:
    def __init__(self, settings: Settings, create: bool = True) -> None:
        """`create=False` for readers: a missing index (or collection) is an error."""
        self.client = chroma_client(settings, create)
        # No embedding function: Chroma's default one downloads a model. We always
        # pass our own vectors.
        if create:
            self.collection = self.client.get_or_create_collection(
                settings.collection, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        else:
            try:
                self.collection = self.client.get_collection(settings.collection, embedding_function=None)
            except NotFoundError:
                raise missing(settings) from None
        self.vector_store = ChromaVectorStore(chroma_collection=self.collection)

    def count(self) -> int:
        return self.collection.count()

    def generation(self) -> str:
        """A token that changes whenever a writer marks the collection changed: one cheap
        call tells a reader (another process too, on a Chroma server) to look again."""
        metadata = self.client.get_collection(self.collection.name).metadata or {}
        return str(metadata.get(_GENERATION, ""))

    def mark_changed(self) -> None:
        """Called by writers after each write: a new generation token."""
        # Chroma replaces collection metadata whole, and refuses hnsw:* keys on modify.
        metadata = self.client.get_collection(self.collection.name).metadata or {}
        kept = {k: v for k, v in metadata.items() if not k.startswith("hnsw:")}
        self.collection.modify(metadata={**kept, _GENERATION: uuid.uuid4().hex})

    def documents(self, where: dict | None = None) -> dict[str, IndexedDocument]:
        """What the collection holds, one entry per document (those whose chunks match
        the Chroma filter `where`, if given).

        Read from the chunk ids (which name their document and place) and one chunk's
        metadata per document, the first where it is there, never from every chunk's
        metadata: at 100k chunks that took ~10 s."""
        chunks: dict[str, int] = defaultdict(int)
        pick: dict[str, str] = {}  # doc_id -> the chunk that describes it
        for chunk_id in self.chunk_ids(where):
            doc_id, _, index = chunk_id.rsplit("::", 2)  # doc_id::hash::index (rag/ingest/chunk.py)
            chunks[doc_id] += 1
            if index == "0" or doc_id not in pick:  # no first chunk: a write cut short
                pick[doc_id] = chunk_id
        metas = self.metadatas(list(pick.values())).values()
        found: dict[str, IndexedDocument] = {}
        for meta in metas:
            found[meta["doc_id"]] = IndexedDocument(
                doc_id=meta["doc_id"],
                title=meta.get("title", ""),
                content_hash=meta["content_hash"],
                source_path=meta.get("source_path", ""),
                # Chunks left from another version count too: they make the document incomplete.
                chunks=chunks[meta["doc_id"]],
                expected_chunks=meta["n_chunks"],
                ingested_at=meta.get("ingested_at", ""),
                metadata={k: v for k, v in meta.items() if not k.startswith("_")},
            )
        return found

    def add(self, nodes: list[BaseNode]) -> None:
        self.vector_store.add(nodes)

    def delete_document(self, doc_id: str) -> None:
        # ChromaVectorStore.delete matches the node's SOURCE relationship (document_id).
        self.vector_store.delete(doc_id)

    def chunk_ids(self, where: dict | None = None) -> list[str]:
        return self._all(include=[], where=where)["ids"]

    def metadatas(self, ids: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for start in range(0, len(ids), 1000):  # a server limits a request's size
            got = self.collection.get(ids=ids[start : start + 1000], include=["metadatas"])
            found.update(zip(got["ids"], got["metadatas"]))
        return found

    def chunks(self) -> tuple[list[str], list[str], list[dict]]:
        """Ids, texts and metadata of every chunk, in a stable order."""
        got = self._all(include=["documents", "metadatas"])
        order = sorted(range(len(got["ids"])), key=lambda i: got["ids"][i])
        return ([got["ids"][i] for i in order], [got["documents"][i] for i in order],
                [got["metadatas"][i] for i in order])

    def nearest(self, embedding: list[float], k: int,
                where: dict | None = None) -> tuple[dict[str, float], dict[str, TextNode]]:
        """The `k` chunks closest to `embedding` (among those matching `where`): each one's
        cosine, and its node."""
        found = self.vector_store.query(
            VectorStoreQuery(query_embedding=embedding, similarity_top_k=k), where=where)
        # ChromaVectorStore reports exp(-distance); with cosine space distance = 1 - cos.
        cosines = {i: 1.0 + math.log(s) for i, s in zip(found.ids or [], found.similarities or [])
                   if s > 0}
        return cosines, {node.node_id: node for node in found.nodes or []}

    def embeddings(self, ids: list[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        got = self.collection.get(ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    def texts(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """Text and metadata of those of these chunks that are there."""
        found: dict[str, tuple[str, dict]] = {}
        for start in range(0, len(ids), 1000):  # a server limits a request's size
            got = self.collection.get(ids=ids[start : start + 1000], include=["documents", "metadatas"])
            found.update((i, (t, m or {})) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"]))
        return found

    def nodes(self, ids: list[str]) -> list[TextNode]:
        """Chunks by id, in the order asked for."""
        if not ids:  # ChromaVectorStore.get_nodes reads the whole collection when given none
            return []
        found = {node.node_id: node for node in self.vector_store.get_nodes(node_ids=ids)}
        return [found[i] for i in ids if i in found]

    def _all(self, include: list[str], where: dict | None = None) -> dict:
        # Paged: a server caps how much one get() may return, and a local index fails on
        # "too many SQL variables" reading 100k chunks' metadata in one get.
        merged: dict[str, list] = {"ids": [], **{key: [] for key in include}}
        page, offset = 5000, 0
        while True:
            got = self.collection.get(include=include, where=where, limit=page, offset=offset)
            merged["ids"] += got["ids"]
            for key in include:
                merged[key] += got[key]
            if len(got["ids"]) < page:
                return merged
            offset += page
