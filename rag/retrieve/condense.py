"""Turn a follow-up question into a standalone one before retrieval.

Without an LLM we cannot rewrite "Who backs it?" into "Who backs Africa Corps?", but
we can tell that it leans on the conversation and search with the earlier question
alongside it. The result is shown to the user as what was searched for.

A question leans on the conversation when it has
- a pronoun that points outside it ("it", "they", "him", "the same"),
- a possessive whose owner it does not name ("What is its main goal?", but not
  "Why did Wagner withdraw its soldiers?"),
- a place or time adverb that points back ("What did he say there?", "What happened then?"),
- an opener that asks to carry the last question over ("What about Niger?"), or
- too few words of its own, unless one of them is a name or a number: "What happened
  at Tinzaouaten?" is short but complete.
"""

import re

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from rag.text.question_words import QUESTION_WORDS
from rag.text.terms import terms
from rag.prompts import CONDENSE_SYSTEM, condense_prompt

_REFERRING = re.compile(r"\b(it|they|them|he|him|she|her|these|those|the same|else)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(its|their|his|her)\b", re.IGNORECASE)
# "there" and "then" point back, except in "is there", "there were", "and then some".
_ADVERB = re.compile(r"\b(?<!is )(?<!are )(?<!was )(?<!were )(there|then|that year|that day|"
                     r"that time|at the time|afterwards)\b(?! (?:is|are|was|were|be)\b)", re.IGNORECASE)
_ASKED = re.compile(r"\b(which|what|whose|how many|how much)\s+\w+", re.IGNORECASE)
_CARRY_OVER = re.compile(r"^\s*(what|how) about\b|^\s*and\b", re.IGNORECASE)
_SELF_CONTAINED_WORDS = 4


def _own_words(question: str) -> list[str]:
    return [w for w in re.findall(r"\w+", question.lower()) if w not in QUESTION_WORDS]


def _names_something(question: str) -> bool:
    """A capitalised word past the first, or a number: a name, place or year the
    question is about, which an earlier turn cannot supply."""
    words = re.findall(r"[\w’'-]+", question)
    return any(w[0].isupper() or any(ch.isdigit() for ch in w) for w in words[1:])


def _names(text: str) -> set[str]:
    """The capitalised words past the first, and the numbers: what a text names."""
    words = re.findall(r"[\w’'-]+", text)
    return {w.lower() for w in words[1:] if w[0].isupper() or any(ch.isdigit() for ch in w)}


def _unowned_possessive(question: str) -> bool:
    """A possessive with no word of its own before it has nothing in the question to
    point to: "What is its goal?" and "In which country is his office?" lean back, "Why
    did Wagner move its troops?" does not."""
    match = _POSSESSIVE.search(question)
    # The word a question word asks about ("which country") is not an owner.
    before = _ASKED.sub(" ", question[: match.start()]) if match else ""
    return bool(match) and not _own_words(before)


def needs_context(question: str) -> bool:
    if _REFERRING.search(question) or _ADVERB.search(question) or _CARRY_OVER.search(question):
        return True
    if _unowned_possessive(question):
        return True
    return len(_own_words(question)) < _SELF_CONTAINED_WORDS and not _names_something(question)


def _names_subject(turn: str) -> bool:
    """Could this earlier turn be what a follow-up refers to? ("Who founded Wagner?"
    can; "Where did he flee?" and "And the year?" lean on a turn before them.)"""
    return (not _REFERRING.search(turn) and not _unowned_possessive(turn)
            and (len(_own_words(turn)) >= 2 or _names_something(turn)))


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
    # A rewrite keeps what the question asks: its own words (less the pronouns and the
    # adverbs it is there to replace), and not a ramble.
    own = _POSSESSIVE.sub(" ", _ADVERB.sub(" ", _REFERRING.sub(" ", question)))
    kept = set(terms(own)) <= set(terms(rewritten))
    if not rewritten or not kept or len(rewritten) > 3 * len(question) + 80:
        return condense(question, history)
    # A small model often echoes the follow-up ("Who replaced them?") or swaps the pronoun
    # for a vague noun, dropping the antecedent the earlier turn named. The rule keeps that
    # turn; the rewrite is kept only if it names something the question alone does not.
    antecedents = _names(condense(question, history)) - _names(question)
    if antecedents and not _names(rewritten) - _names(question):
        return condense(question, history)
    return rewritten
