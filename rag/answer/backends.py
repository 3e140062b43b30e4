"""Which answer backends exist, which can run here, and the LLM behind each generating one."""

import importlib.util
from collections.abc import Callable

from llama_index.core.llms import LLM

from rag.settings import Settings

BACKENDS = ("extractive", "local", "openai")


class BackendUnavailable(ValueError):
    """One line: why a backend cannot run, and what to do about it."""


def _local(settings: Settings) -> LLM:
    from rag.answer.local import LocalLLM
    from rag.answer.model import ModelUnavailable

    if importlib.util.find_spec("xllamacpp") is None:
        raise BackendUnavailable("the local backend needs xllamacpp: `make install ANSWER=local`")
    try:
        return LocalLLM.from_settings(settings)
    except ModelUnavailable as error:
        raise BackendUnavailable(str(error)) from None


def _openai(settings: Settings) -> LLM:
    if importlib.util.find_spec("llama_index.llms.openai_like") is None:
        raise BackendUnavailable("the openai backend needs llama-index-llms-openai-like: "
                                 "`pip install -e '.[openai]'`")
    if not settings.llm_url:
        raise BackendUnavailable("the openai backend needs RAG_LLM_URL (e.g. http://127.0.0.1:8080/v1)")
    from rag.answer.openai import openai_llm

    return openai_llm(settings)


LLMS: dict[str, Callable[[Settings], LLM]] = {"local": _local, "openai": _openai}


def available(settings: Settings) -> list[str]:
    """Backends that would start here, without loading a model or calling a server."""
    from rag.answer.model import QWEN_CODER_1_5B

    names = ["extractive"]
    local_model = (settings.llm_gguf is not None and settings.llm_gguf.is_file()) or \
        (settings.model_cache / QWEN_CODER_1_5B.name).is_file() or \
        all(importlib.util.find_spec(m) is not None for m in QWEN_CODER_1_5B.modules)
    if importlib.util.find_spec("xllamacpp") is not None and local_model:
        names.append("local")
    if settings.llm_url and importlib.util.find_spec("llama_index.llms.openai_like") is not None:
        names.append("openai")
    return names
