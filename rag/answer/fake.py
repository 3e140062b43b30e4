"""The `fake` backend, for tests: llama-index's MockLLM taught to answer with the first
sentence of the first source it is given, cited [1], so the whole generating path
(prompt, streaming, checking, citations, fallback) runs without a model.

It is never offered in the chat's selector unless it is the configured backend.
"""

import re
from typing import Any

from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen
from llama_index.core.llms import MockLLM

from rag.answer.backends import Backend, register
from rag.answer.generate import generating
from rag.settings import Settings

_FIRST_SOURCE = re.compile(r"Sources:\n\[1\] (.+?[.!?])(?:\s|$)", re.DOTALL)
_LAST_QUESTION = re.compile(r"Last question: (.+)\n")


class QuotingLLM(MockLLM):
    """Answers the answer prompt with its first source's first sentence and `[1]`, and the
    condense prompt with the question unchanged; anything else as MockLLM does."""

    def reply(self, prompt: str) -> str:
        if found := _FIRST_SOURCE.search(prompt):
            return f"{' '.join(found.group(1).split())} [1]"
        if found := _LAST_QUESTION.search(prompt):
            return found.group(1)
        return prompt

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.reply(prompt))

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = self.reply(prompt)
        for end in range(3, len(text) + 3, 3):  # a few characters at a time, as models stream
            yield CompletionResponse(text=text[:end], delta=text[end - 3:end])


def fake_llm(settings: Settings) -> QuotingLLM:
    return QuotingLLM(max_tokens=None)


register(Backend(name="fake", summary="a mock LLM quoting its first source, for tests",
                 build=generating("fake", fake_llm),
                 runnable=lambda settings: settings.answer.backend == "fake"))
