"""The documents listing (`Store.documents`) reads first chunks and chunk ids only; it must
say what reading every chunk's metadata says, on a local index and on a `chroma run`
server, for whole, broken and half-replaced documents, with and without a filter. And
chunks asked for by id: none asked, none read."""

from collections import Counter
from pathlib import Path

from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.index.store import Store


def every_chunk(store: Store, where: dict | None = None) -> dict[str, tuple]:
    """doc_id -> (chunks, expected chunks, content hashes), from every chunk's metadata."""
    metas = store._all(include=["metadatas"], where=where)["metadatas"]
    counts = Counter(m["doc_id"] for m in metas)
    return {doc_id: (counts[doc_id], {m["n_chunks"] for m in metas if m["doc_id"] == doc_id},
                     {m["content_hash"] for m in metas if m["doc_id"] == doc_id}) for doc_id in counts}


def agrees(store: Store, where: dict | None = None) -> None:
    listed = store.documents(where)
    truth = every_chunk(store, where)
    assert listed.keys() == truth.keys()
    for doc_id, (chunks, expected, hashes) in truth.items():
        doc = listed[doc_id]
        assert doc.chunks == chunks and doc.expected_chunks in expected and doc.content_hash in hashes
        assert doc.complete == (len(hashes) == 1 and chunks == doc.expected_chunks)


def check_listing(settings: Settings, embedder, corpus: Path) -> None:
    pipeline = Pipeline(settings, embed_model=embedder)
    pipeline.ingest(corpus)
    store = pipeline.store
    agrees(store)
    assert all(d.complete and d.title for d in pipeline.documents())

    # A write cut short before a document's first chunk: listed, and incomplete.
    ids = sorted(store.chunk_ids({"doc_id": "001_b907f60da323e9d4.txt"}))
    store.collection.delete(ids=[ids[0]])
    agrees(store)
    assert not store.documents()["001_b907f60da323e9d4.txt"].complete

    # A chunk of an older version left behind beside a whole new one: incomplete.
    old = store.collection.get(ids=[sorted(store.chunk_ids({"doc_id": "002_9009ab8afc2139b9.txt"}))[-1]],
                               include=["documents", "metadatas", "embeddings"])
    doc_id, digest, index = old["ids"][0].rsplit("::", 2)
    store.collection.add(ids=[f"{doc_id}::{'0' * 12}::{index}"], documents=old["documents"],
                         metadatas=[{**old["metadatas"][0], "content_hash": "0" * 64}],
                         embeddings=old["embeddings"])
    agrees(store)
    assert not store.documents()["002_9009ab8afc2139b9.txt"].complete

    # The upload's filtered listing (rag/ingest/update.py `_indexed_from`).
    where = {"source_path": {"$in": ["002_9009ab8afc2139b9.txt", "003_1c59dd173ef6f39b.txt"]}}
    agrees(store, where)
    assert set(store.documents(where)) == {"002_9009ab8afc2139b9.txt", "003_1c59dd173ef6f39b.txt"}

    # The next ingest repairs both, as before.
    report = pipeline.ingest(corpus)
    assert sorted(report.updated) == ["001_b907f60da323e9d4.txt", "002_9009ab8afc2139b9.txt"]
    assert all(d.complete for d in pipeline.documents())
    agrees(store)


def test_listing_agrees_with_every_chunk_locally(settings, fake_embedder, seed_corpus) -> None:
    check_listing(settings, fake_embedder, seed_corpus)


def test_listing_agrees_with_every_chunk_on_a_chroma_server(tmp_path, chroma_server, fake_embedder,
                                                           seed_corpus) -> None:
    settings = Settings(chroma_url=chroma_server, index_dir=tmp_path / "index", _env_file=None)
    check_listing(settings, fake_embedder, seed_corpus)


def test_no_ids_fetch_no_chunks(settings, fake_embedder, seed_corpus) -> None:
    # Retrieval asks for the chunks only BM25 found; when dense found them all, none are
    # asked for, and llama-index's get_nodes would return the whole collection.
    pipeline = Pipeline(settings, embed_model=fake_embedder)
    pipeline.ingest(seed_corpus)
    assert pipeline.store.nodes([]) == []
    first = sorted(pipeline.store.chunk_ids())[:2]
    assert [n.node_id for n in pipeline.store.nodes(first[::-1])] == first[::-1]
