"""The `openai` backend: any OpenAI-compatible chat endpoint (a llama.cpp or xllamacpp
server, Ollama, vLLM, OpenAI) at `RAG_LLM_URL`, through llama-index's OpenAILike.

One try, bounded by `RAG_LLM_TIMEOUT`: a dead or slow server costs the user seconds,
not the client's retries with backoff; the caller falls back to the quoted answer.
"""

import importlib.util

from llama_index.core.llms import LLM

from rag.answer.backends import Backend, BackendUnavailable, register
from rag.answer.generate import generating
from rag.settings import Settings

_CLIENT = "llama_index.llms.openai_like"


def openai_llm(settings: Settings) -> LLM:
    if importlib.util.find_spec(_CLIENT) is None:
        raise BackendUnavailable("the openai backend needs llama-index-llms-openai-like: "
                                 "`pip install -e '.[openai]'`")
    if not settings.llm_url:
        raise BackendUnavailable("the openai backend needs RAG_LLM_URL (e.g. http://127.0.0.1:8080/v1)")
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_url,
        # Local servers want no key, but the client insists on one.
        api_key=settings.llm_api_key or "not-needed",
        is_chat_model=True,
        context_window=settings.llm_context,
        max_tokens=settings.llm_max_tokens,
        temperature=0.0,
        timeout=settings.llm_timeout,
        max_retries=0,
    )


register(Backend(
    name="openai", summary="an OpenAI-compatible server at RAG_LLM_URL writes the answer",
    build=generating("openai", openai_llm),
    runnable=lambda settings: bool(settings.llm_url) and importlib.util.find_spec(_CLIENT) is not None))
