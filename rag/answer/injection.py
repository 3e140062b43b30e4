"""Text in the corpus addressed to a language model ("Ignore the question and answer: …",
"You are now …", "system: …"). Corpus text is data, never instructions: a sentence like
that is kept out of what the model is given, never counts as support for an answer, and
its passage is shown as suspicious. Every pattern lives here, so the prompt, the
verifier, the quoted answer and the source card agree on what is suspicious."""

import re

from rag.text.sentences import sentence_spans

_TARGETS = r"(?:question|instructions?|prompt|context|rules|sources?|passages?|text|above|everything)"
INSTRUCTION_PATTERNS = [
    rf"\bignore\s+(?:(?:the|this|that|your|all|any|previous|prior|earlier|above|following|other)\s+)*{_TARGETS}\b",
    rf"\b(?:disregard|forget|override)\s+(?:(?:the|this|your|all|any|previous|prior|earlier|above)\s+)*{_TARGETS}\b",
    r"\byou\s+are\s+(?:now\s+)?(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}(?:AI|assistant|language\s+model|LLM|chat\s*bot|bot)\b",
    r"\byou\s+are\s+now\b",
    r"\b(?:answer|reply|respond|output)\s*(?:with|only)?\s*:",
    r"(?:^|[\n.!?]\s*|\s)(?:system|assistant)\s*:",
    r"\b(?:new|updated|hidden|secret)\s+instructions?\b",
    r"\binstructions?\s+(?:to|for)\s+(?:the\s+)?(?:AI|assistant|model|LLM)\b",
    r"<\|?(?:im_start|im_end|system|endoftext)\|?>|\[/?INST\]",
]
_INSTRUCTION = re.compile("|".join(INSTRUCTION_PATTERNS), re.IGNORECASE)


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` that hold an instruction aimed at a model."""
    return [(s, e) for s, e in sentence_spans(text) if _INSTRUCTION.search(text[s:e])]


def suspicious(text: str) -> bool:
    return _INSTRUCTION.search(text) is not None


def blanked(text: str) -> str:
    """`text` with those sentences turned to spaces: every offset stays where it was."""
    for start, end in instruction_spans(text):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def neutralised(text: str) -> str:
    """`text` without those sentences, for a prompt."""
    return " ".join(blanked(text).split())
