"""The answering seam: every backend turns a question and retrieved passages into an
`Answer` whose sentences each cite the passage they come from."""

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Protocol

from llama_index.core.schema import NodeWithScore

from rag.prompts import ABSTAIN


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    text: str  # the cited passage (a chunk), verbatim from the cleaned document
    start: int  # the passage's character offsets in the cleaned document
    end: int
    highlights: list[tuple[int, int]] = field(default_factory=list)  # cited spans, within `text`
    metadata: dict = field(default_factory=dict)  # url, published_at, source, ... when known


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    searched_for: str = ""  # the standalone question that was retrieved for
    retrieved: list[str] = field(default_factory=list)  # doc ids of retrieved chunks, by rank
    latency_ms: float = 0.0
    done: bool = True  # False on the partial answers a stream yields before the last
    backend: str = "extractive"
    # Generated answers: each sentence, the passage [n] that supports it and its status
    # (verified, reattributed, flagged, dropped); see rag/verify.py.
    sentences: list[dict] = field(default_factory=list)
    draft: str = ""  # the generated text so far, on partial answers while it is written
    notice: str = ""  # one line shown above the answer, e.g. why the LLM could not answer
    first_token_ms: float | None = None
    # The date the answer holds as of (ISO), when time mattered to the question: an as-of
    # date was given or the question says "this week", "now", ... (rag/as_of.py).
    as_of: str = ""
    # [n] -> how many independent sources say what passage n is quoted for (rag/answer/over_time.py).
    support: dict[int, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def abstention(cls, question: str, note: str = "") -> "Answer":
        """Not found; `note` (a fixed phrase from rag.prompts) may say why."""
        return cls(question=question, answer=f"{ABSTAIN} {note}".strip(), abstained=True)


class Answerer(Protocol):
    def stream(self, question: str, passages: list[NodeWithScore]) -> Iterator[Answer]:
        """Partial answers (done=False) as they form, then the final one (done=True)."""
        ...


def final(answers: Iterator[Answer]) -> Answer:
    answer = None
    for answer in answers:
        pass
    if answer is None:
        raise RuntimeError("the answerer produced nothing")
    return answer


_MARKER = re.compile(r"\s*\[(\d+)\]")


def unsupported_sentences(answer: Answer) -> list[str]:
    """Answer sentences not found verbatim in the passage their [n] marker cites.

    The extractive backend passes by construction; an LLM backend's answer must be
    checked with this before it is shown.
    """
    if answer.abstained:
        return []
    passages = {c.n: " ".join(c.text.split()) for c in answer.citations}
    problems, cursor = [], 0
    for match in _MARKER.finditer(answer.answer):
        sentence = " ".join(answer.answer[cursor : match.start()].split())
        cursor = match.end()
        if sentence and sentence not in passages.get(int(match.group(1)), ""):
            problems.append(sentence)
    if answer.answer[cursor:].strip():
        problems.append(answer.answer[cursor:].strip())
    return problems
