"""The embedders by name, as RAG_INGEST__EMBEDDER picks them: one module each, built here.

Each is a llama-index `BaseEmbedding` that also says what it is (`model_name`,
`model_version`, `dimensions`: what an index records, rag/index/embedder.py) and
whether it matches questions in other languages to English passages (`multilingual`).
"""

from collections.abc import Callable

from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.settings import Settings


def _minilm(settings: Settings) -> BaseEmbedding:
    from rag.embed.minilm import MiniLMEmbedding

    return MiniLMEmbedding(embed_batch_size=settings.ingest.embed_batch_size, num_threads=settings.ingest.embed_threads)


def _e5(settings: Settings) -> BaseEmbedding:
    from rag.embed.e5 import E5Embedding

    return E5Embedding(embed_batch_size=settings.ingest.embed_batch_size, num_threads=settings.ingest.embed_threads)


EMBEDDERS: dict[str, Callable[[Settings], BaseEmbedding]] = {"minilm": _minilm, "e5": _e5}


def embedder(settings: Settings, name: str | None = None) -> BaseEmbedding:
    """The embedder `name` (default: the settings' RAG_INGEST__EMBEDDER)."""
    return EMBEDDERS[name or settings.ingest.embedder](settings)


def multilingual(model: BaseEmbedding) -> bool:
    return bool(getattr(model, "multilingual", False))


def sentence_embedder(settings: Settings, chunks: BaseEmbedding) -> BaseEmbedding:
    """What embeds sentences beside `chunks`: MiniLM always, the model the extractive
    answer's weights, the abstention threshold and the verifier were tuned on (see
    benchmarks/README.md, "Embedders", for what e5 sentence vectors would cost and give)."""
    from rag.embed.minilm import MiniLMEmbedding

    return chunks if isinstance(chunks, MiniLMEmbedding) else embedder(settings, "minilm")
