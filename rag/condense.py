"""Turn a follow-up question into a standalone one before retrieval.

Without an LLM we cannot rewrite "Who backs it?" into "Who backs Africa Corps?", but
we can tell that it leans on the conversation (a pronoun, or too few words of its
own) and search with the earlier question alongside it. The result is shown to the
user as what was searched for.
"""

import re

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from rag.lexical import terms
from rag.prompts import CONDENSE_SYSTEM, condense_prompt

# Words that point outside the question. Possessives (its, their, his) are left out:
# they usually point back inside it ("the withdrawal of its soldiers").
_REFERRING = re.compile(
    r"\b(it|they|them|he|him|she|her|these|those|the same|else)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = {"what", "who", "whom", "whose", "when", "where", "which", "why", "how", "did",
                   "does", "do", "is", "are", "was", "were", "the", "a", "an", "of", "and", "or",
                   "in", "on", "to", "for", "by", "with", "about"}
_SELF_CONTAINED_WORDS = 4


def _own_words(question: str) -> list[str]:
    return [w for w in re.findall(r"\w+", question.lower()) if w not in _QUESTION_WORDS]


def needs_context(question: str) -> bool:
    return bool(_REFERRING.search(question)) or len(_own_words(question)) < _SELF_CONTAINED_WORDS


def _names_subject(turn: str) -> bool:
    """Could this earlier turn be what a follow-up refers to? ("Who founded Wagner?"
    can; "Where did he flee?" and "And the year?" lean on a turn before them.)"""
    return not _REFERRING.search(turn) and len(_own_words(turn)) >= 2


def condense(question: str, history: list[str]) -> str:
    """The question to search for: the question itself, or, for a follow-up, the question
    together with the earlier turns it leans on, back to the last that names its subject."""
    question = question.strip()
    if not needs_context(question):
        return question
    context: list[str] = []
    for turn in reversed([turn.strip() for turn in history if turn.strip()]):
        context.insert(0, turn)
        if _names_subject(turn):
            break
    return f"{question} ({' '.join(context)})" if context else question


def rewrite(question: str, history: list[str], llm: LLM) -> str:
    """With an LLM: a follow-up rewritten into a standalone question ("Who commands it?"
    → "Who commands Africa Corps?"). When the model fails or rambles, today's rule."""
    question = question.strip()
    if not history or not needs_context(question):
        return question
    messages = [ChatMessage(role=MessageRole.SYSTEM, content=CONDENSE_SYSTEM),
                ChatMessage(role=MessageRole.USER, content=condense_prompt(question, history[-3:]))]
    try:
        text = llm.chat(messages).message.content or ""
    except Exception:  # the answer step reports a failing model; here the rule will do
        return condense(question, history)
    lines = [line.strip(" \"'`*-") for line in text.strip().splitlines() if line.strip()]
    rewritten = lines[0] if lines else ""
    # A rewrite keeps what the question asks: its own words, and not a ramble.
    kept = set(terms(question)) <= set(terms(rewritten))
    if not rewritten or not kept or len(rewritten) > 3 * len(question) + 80:
        return condense(question, history)
    return rewritten
