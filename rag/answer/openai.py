"""The `openai` backend: any OpenAI-compatible chat endpoint (a llama.cpp or xllamacpp
server, Ollama, vLLM, OpenAI) at `RAG_LLM__OPENAI__URL`, through llama-index's OpenAILike.

One try, bounded by `RAG_LLM__OPENAI__TIMEOUT` between bytes and `RAG_LLM__DEADLINE` in all: a dead
or slow server costs the user seconds, not the client's retries with backoff, and a server
that sends keep-alive comments forever (bytes, but never a token) cannot hold the answer;
the caller falls back to the quoted answer.
"""

import importlib.util
import time
from collections.abc import Iterator

import httpx
from llama_index.core.llms import LLM

from rag.answer.backends import Backend, BackendUnavailable, register
from rag.answer.generate import LLMUnavailable, generating
from rag.settings import Settings

_CLIENT = "llama_index.llms.openai_like"


def openai_llm(settings: Settings) -> LLM:
    if importlib.util.find_spec(_CLIENT) is None:
        raise BackendUnavailable("the openai backend needs llama-index-llms-openai-like: "
                                 "`pip install -e '.[openai]'`")
    if not settings.llm.openai.url:
        raise BackendUnavailable("the openai backend needs RAG_LLM__OPENAI__URL (e.g. http://127.0.0.1:8080/v1)")
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=settings.llm.openai.model,
        api_base=settings.llm.openai.url,
        # Local servers want no key, but the client insists on one.
        api_key=settings.llm.openai.api_key or "not-needed",
        is_chat_model=True,
        context_window=settings.llm.context,
        max_tokens=settings.llm.max_tokens,
        temperature=0.0,
        timeout=settings.llm.openai.timeout,
        max_retries=0,
        http_client=httpx.Client(transport=_Deadline(settings.llm.deadline)),
    )


class _Deadline(httpx.BaseTransport):
    """Each response read to its end within `seconds` of its request, or cut."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.inner = seconds, httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.seconds
        response = self.inner.handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)  # a sync transport's
        response.stream = _Bounded(response.stream, deadline, self.seconds)
        return response

    def close(self) -> None:
        self.inner.close()


class _Bounded(httpx.SyncByteStream):
    def __init__(self, stream: httpx.SyncByteStream, deadline: float, seconds: float) -> None:
        self.stream, self.deadline, self.seconds = stream, deadline, seconds

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.stream:
            if time.monotonic() > self.deadline:
                raise LLMUnavailable(f"no whole answer within {self.seconds:g} s")
            yield chunk

    def close(self) -> None:
        self.stream.close()


register(Backend(
    name="openai", summary="an OpenAI-compatible server at RAG_LLM__OPENAI__URL writes the answer",
    build=generating("openai", openai_llm),
    runnable=lambda settings: bool(settings.llm.openai.url) and importlib.util.find_spec(_CLIENT) is not None))
