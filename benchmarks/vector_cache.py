"""Embedders for benchmarks: the real one behind an on-disk cache, and a cheap stand-in.

`CachedEmbedding` keys each vector by the SHA-256 of the model name and the text, in a
SQLite file: building a 20k-chunk index embeds each text once, ever, so reruns of the
benchmark (and the resumable build across lock holds) cost no embedding. Only index
building goes through it; query-time embedding and the throughput figures use the
real embedder uncached.

`HashEmbedding` is a deterministic bag-of-words hashing embedder (384-d) for the scale
curve, where embedding 100k chunks for real would take hours: the curve measures
index and answer mechanics, not retrieval quality.
"""

import hashlib
import re
import sqlite3
from pathlib import Path

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr


class CachedEmbedding(BaseEmbedding):
    model_name: str = "cached"
    _inner: BaseEmbedding = PrivateAttr()
    _db: sqlite3.Connection = PrivateAttr()

    def __init__(self, inner: BaseEmbedding, path: Path, **kwargs) -> None:
        super().__init__(model_name=f"cached:{inner.model_name}",
                         ingest__embed_batch_size=inner.embed_batch_size, **kwargs)
        self._inner = inner
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    @classmethod
    def class_name(cls) -> str:
        return "CachedEmbedding"

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._inner.model_name}\0{text}".encode()).hexdigest()

    def cached(self, texts: list[str]) -> dict[str, np.ndarray]:
        keys = list({self._key(t) for t in texts})
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        found = self.cached(texts)
        missing = list(dict.fromkeys(t for t in texts if self._key(t) not in found))
        if missing:
            vectors = self._inner.get_text_embedding_batch(missing)
            rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(missing, vectors)]
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return [found[self._key(t)].tolist() for t in texts]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._inner.get_query_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class HashEmbedding(BaseEmbedding):
    """Texts sharing words are close; costs microseconds, needs no model."""

    model_name: str = "hash-384"

    def _get_text_embedding(self, text: str) -> list[float]:
        vector = np.zeros(384, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.md5(word.encode()).digest()
            vector[int.from_bytes(digest[:2], "little") % 384] += 1.0 if digest[2] % 2 else -1.0
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm else vector + 384 ** -0.5).tolist()

    _get_query_embedding = _get_text_embedding

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)
