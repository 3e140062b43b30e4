"""The `local` backend: a GGUF model run in this process by xllamacpp (llama.cpp),
behind llama-index's LLM interface. No server to start, no key, no network.

xllamacpp streams through a callback on the calling thread; a worker thread feeds the
chunks to a generator, and a consumer that stops early stops the generation too.
"""

import importlib.util
import queue
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from llama_index.core.base.llms.types import (ChatMessage, ChatResponse, ChatResponseGen,
                                              CompletionResponse, CompletionResponseGen,
                                              LLMMetadata, MessageRole)
from llama_index.core.llms import CustomLLM
from pydantic import PrivateAttr

from rag.answer.backends import Backend, BackendUnavailable, register
from rag.answer.generate import generating
from rag.answer.model import QWEN_CODER_1_5B, ModelUnavailable, model_path
from rag.settings import Settings

_DONE = object()


class LocalLLM(CustomLLM):
    model_path: str
    context_window: int = 2048
    max_tokens: int = 128
    threads: int = 2
    _server: Any = PrivateAttr()

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = self.model_path
        params.n_ctx = self.context_window
        params.n_predict = self.max_tokens
        params.n_parallel = 1
        params.cpuparams.n_threads = params.cpuparams_batch.n_threads = self.threads
        params.verbosity = 0
        # Greedy decoding: the same question over the same passages gives the same answer.
        params.sampling.temp = 0.0
        params.sampling.top_k = 1
        self._server = xllamacpp.Server(params)

    @classmethod
    def from_settings(cls, settings: Settings) -> "LocalLLM":
        return cls(model_path=str(model_path(settings)), context_window=settings.llm.context,
                   max_tokens=settings.llm.max_tokens, threads=settings.llm.local.threads)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.context_window, num_output=self.max_tokens,
                           is_chat_model=True, model_name=self.model_path)

    @property
    def address(self) -> str:
        """The OpenAI-compatible HTTP endpoint xllamacpp also serves (127.0.0.1)."""
        return self._server.listening_address

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(r.delta or "" for r in self.stream_chat(messages, **kwargs))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        request = {"messages": [{"role": m.role.value, "content": m.content} for m in messages],
                   "max_tokens": self.max_tokens, "temperature": 0.0, "stream": True}
        text = ""
        for delta in self._deltas(request):
            text += delta
            yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta)

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        response = self.chat([ChatMessage(role=MessageRole.USER, content=prompt)])
        return CompletionResponse(text=response.message.content or "")

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        for response in self.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)]):
            yield CompletionResponse(text=response.message.content or "", delta=response.delta)

    def _deltas(self, request: dict) -> Iterator[str]:
        chunks: queue.Queue = queue.Queue()
        stop = threading.Event()

        def on_chunk(chunk: Any) -> bool:
            chunks.put(chunk)
            return stop.is_set()  # True tells llama.cpp to stop generating

        def run() -> None:
            try:
                result = self._server.handle_chat_completions(request, on_chunk)
                if isinstance(result, dict) and "error" in result:
                    chunks.put(RuntimeError(str(result["error"].get("message", result["error"]))))
            except Exception as error:  # handed to the consumer's thread
                chunks.put(error)
            finally:
                chunks.put(_DONE)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        try:
            while (chunk := chunks.get()) is not _DONE:
                if isinstance(chunk, Exception):
                    raise chunk
                if "error" in chunk:
                    raise RuntimeError(str(chunk["error"]))
                for choice in chunk.get("choices") or []:
                    if content := (choice.get("delta") or {}).get("content"):
                        yield content
        finally:
            stop.set()
            worker.join()


def local_llm(settings: Settings) -> LocalLLM:
    if importlib.util.find_spec("xllamacpp") is None:
        raise BackendUnavailable("the local backend needs xllamacpp: `make install ANSWER=local`")
    try:
        return LocalLLM.from_settings(settings)
    except ModelUnavailable as error:
        raise BackendUnavailable(str(error)) from None


def _runnable(settings: Settings) -> bool:
    """xllamacpp, and a model: RAG_LLM__LOCAL__GGUF, the assembled default, or its parts."""
    model = (settings.llm.local.gguf is not None and settings.llm.local.gguf.is_file()) or \
        (settings.llm.local.model_cache / QWEN_CODER_1_5B.name).is_file() or \
        all(importlib.util.find_spec(m) is not None for m in QWEN_CODER_1_5B.modules)
    return importlib.util.find_spec("xllamacpp") is not None and model


register(Backend(name="local", summary="a GGUF model run in process (xllamacpp) writes the answer",
                 build=generating("local", local_llm), runnable=_runnable))
