"""The test doubles, built on llama-index's own mocks and used through the real seams:
`FakeEmbedding` where a pipeline takes its embed_model, `ScriptedLLM` where a generating
answerer takes its LLM. (The registered `fake` answer backend, rag/answer/fake.py, is the
same idea for whole-pipeline tests.) Unit tests only: what a test claims about the
embedder or a model is tried with the real one."""

import hashlib
import re
from typing import Any

import numpy as np
from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import MockLLM


class FakeEmbedding(MockEmbedding):
    """Deterministic bag-of-words hashing embedder: texts sharing words are close."""

    model_name: str = "fake"

    def __init__(self, embed_dim: int = 64, **kwargs: Any) -> None:
        super().__init__(embed_dim=embed_dim, **kwargs)

    def _vector(self, text: str) -> list[float]:
        vector = np.zeros(self.embed_dim)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.md5(word.encode()).digest()
            vector[digest[0] % self.embed_dim] += 1.0 if digest[1] % 2 else -1.0
        norm = np.linalg.norm(vector)
        return (vector / norm if norm else vector + 1 / np.sqrt(self.embed_dim)).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)


class ScriptedLLM(MockLLM):
    """Writes `text` whatever it is asked, three characters at a time."""

    text: str = ""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.text)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        for end in range(3, len(self.text) + 3, 3):
            yield CompletionResponse(text=self.text[:end], delta=self.text[end - 3:end])
