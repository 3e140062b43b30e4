"""The answering seam: every backend turns a question and retrieved passages into an
`Answer` whose sentences each cite the passage they come from."""

from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Protocol, cast

from llama_index.core.schema import NodeWithScore, TextNode

from rag.answer.injection import suspicious
from rag.prompts import ABSTAIN
from rag.text.markers import SPACED_MARKER


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
    # (verified, reattributed, flagged, dropped); see rag/answer/verify.py.
    sentences: list[dict] = field(default_factory=list)
    draft: str = ""  # the generated text so far, on partial answers while it is written
    notice: str = ""  # one line shown above the answer, e.g. why the LLM could not answer
    first_token_ms: float | None = None
    # The date the answer holds as of (ISO), when time mattered to the question: an as-of
    # date was given or the question says "this week", "now", ... (rag/time/as_of.py).
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
    """What the pipeline asks of every backend (registered in rag/answer/backends.py)."""

    def standalone(self, question: str, history: list[str]) -> str:
        """The question to search for: a follow-up made standalone from the earlier questions."""
        ...

    def stream(self, question: str, passages: list[NodeWithScore]) -> Iterator[Answer]:
        """Partial answers (done=False) as they form, then the final one (done=True)."""
        ...


class Evidence(Answerer, Protocol):
    """A backend whose answer is quoted from the passages: what a generating backend shows
    first, falls back to, and trims its prompt around."""

    def best_sentences(self, question: str, passages: list[NodeWithScore]) -> dict[str, int]:
        """Per passage (node id), where its best sentence for the question starts."""
        ...


_DOC_KEYS = {"doc_id", "title", "content_hash", "source_path", "chunk", "n_chunks", "ingested_at",
             "dense_score", "document_id", "ref_doc_id"}


def cite(n: int, passage: NodeWithScore) -> Citation:
    """Citation [n] of a retrieved passage, with the document's own metadata (url, date, ...)."""
    node, meta = cast(TextNode, passage.node), passage.node.metadata
    start = node.start_char_idx or 0
    return Citation(
        n=n, doc_id=meta.get("doc_id", node.ref_doc_id or ""), title=meta.get("title", ""),
        text=node.get_content(), start=start, end=node.end_char_idx or start + len(node.get_content()),
        metadata={k: v for k, v in meta.items() if k not in _DOC_KEYS}
        | ({"suspicious": True} if suspicious(node.get_content()) else {}),
    )


def final(answers: Iterator[Answer]) -> Answer:
    last = deque(answers, maxlen=1)
    if not last:
        raise RuntimeError("the answerer produced nothing")
    return last[0]


def unsupported_sentences(answer: Answer) -> list[str]:
    """Answer sentences not found verbatim in the passage their [n] marker cites.

    The extractive backend passes by construction; an LLM backend's answer must be
    checked with this before it is shown.
    """
    if answer.abstained:
        return []
    passages = {c.n: " ".join(c.text.split()) for c in answer.citations}
    problems, cursor = [], 0
    for match in SPACED_MARKER.finditer(answer.answer):
        # The reader's short answer is shown in bold: its words, not the markup, are quoted.
        sentence = " ".join(answer.answer[cursor : match.start()].split()).removeprefix("**").removesuffix("**")
        cursor = match.end()
        if sentence and sentence not in passages.get(int(match.group(1)), ""):
            problems.append(sentence)
    if answer.answer[cursor:].strip():
        problems.append(answer.answer[cursor:].strip())
    return problems
