"""The `openai` backend: any OpenAI-compatible chat endpoint (a llama.cpp or xllamacpp
server, Ollama, vLLM, OpenAI) at `RAG_LLM_URL`, through llama-index's OpenAILike.

One try, bounded by `RAG_LLM_TIMEOUT`: a dead or slow server costs the user seconds,
not the client's retries with backoff; the caller falls back to the quoted answer.
"""

from llama_index.llms.openai_like import OpenAILike

from rag.settings import Settings


def openai_llm(settings: Settings) -> OpenAILike:
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
