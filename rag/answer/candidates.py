"""Candidate sentences and the rules over them: a sentence's score, whether to abstain, and
which sentences an answer quotes, each in its context.

Shared by the extractive answerer, the reader (rag/answer/reading.py), cross-lingual and
change-over-time answers; it knows none of them.
"""

import re
from dataclasses import dataclass, field, replace

from llama_index.core.schema import NodeWithScore

from rag.answer.injection import suspicious
from rag.settings import Weights
from rag.text.markers import MARKER
from rag.text.sentences import sentence_spans

_STATEMENT_END = re.compile(r"[.!?][\"'”’)\]]*$")
_MIN_WORDS = 4
_CONTEXT_BEFORE, _CONTEXT_AFTER = 1, 2  # sentences quoted around the best one
NEGATION = 2  # what a negation the sentence lacks adds to its `unmet`: enough to abstain


def sentence_score(weights: Weights, c: "Candidate") -> float:
    """A sentence's score from its features (rag/settings.py, `Weights`, describes each)."""
    return (weights.cosine * c.cosine + weights.overlap * c.overlap + weights.rank / (c.rank + 1)
            + weights.typed * c.typed)


def choose(ranked: list["Candidate"], weights: Weights, limit: int) -> list["Candidate"]:
    """The best sentence in context, with no runner-up when it holds (nearly) every question
    term (and the asked kind of answer, if any); else up to `limit - 1` close runners-up too,
    preferring those that cover question terms not yet quoted: a question about two things
    gets both."""
    best = ranked[0]
    if best.overlap >= weights.whole and (best.typed or not best.asks):
        return in_context([best])
    margin = weights.two_part_margin if best.two_part else weights.margin
    pool = [c for c in ranked[1:] if c.score >= best.score - margin]
    chosen, covered = [best], set(best.matched)

    def gain(c: Candidate) -> float:
        return c.score + weights.coverage * sum(w for t, w in c.matched.items() if t not in covered)

    while pool and len(chosen) < limit:
        runner_up = max(pool, key=gain)
        pool.remove(runner_up)
        chosen.append(runner_up)
        covered |= runner_up.matched.keys()
    return in_context(chosen)


def in_context(chosen: list["Candidate"]) -> list["Candidate"]:
    """The best sentence quoted with the sentence before it and the two after it in its
    passage, as far as they are statements: the asked fact is often next to the best match
    (evals/README.md, "Third pass"). A runner-up the quote already holds drops out."""
    best = chosen[0]
    text = best.passage.node.get_content()
    spans = sentence_spans(text)
    # The quote may be more than one sentence (the reader widens a span that crosses a
    # sentence boundary to both sentences): context is counted from the first and the last
    # sentence it overlaps, not looked up as one sentence.
    inside = [i for i, (s, e) in enumerate(spans) if s < best.end and e > best.start]
    if not inside:  # no sentence of the passage holds it: quote it as it is
        return chosen
    first, last = inside[0], inside[-1]
    start, end = min(best.start, spans[first][0]), max(best.end, spans[last][1])
    for before in reversed(spans[max(first - _CONTEXT_BEFORE, 0):first]):
        if not is_statement(text[before[0]:before[1]]):
            break
        start = before[0]
    for after in spans[last + 1:last + 1 + _CONTEXT_AFTER]:
        if not is_statement(text[after[0]:after[1]]):
            break
        end = after[1]
    quote = replace(best, start=start, end=end)
    quoted = spaced(quote.text)
    return [quote, *(c for c in chosen[1:] if spaced(c.text) not in quoted)]


def decide(ranked: list["Candidate"], weights: Weights, threshold: float,
           limit: int) -> list["Candidate"]:
    """The sentences to answer with, or none to abstain."""
    if not ranked or ranked[0].score < threshold or ranked[0].unmet > weights.missing:
        return []
    return choose(ranked, weights, limit)


@dataclass
class Candidate:
    rank: int  # rank of its passage in retrieval
    passage: NodeWithScore
    start: int  # offsets within the passage text
    end: int
    cosine: float = 0.0
    matched: dict[str, float] = field(default_factory=dict)  # question terms present: weight
    asks: bool = False  # the question asks for a kind of answer (date, number, name)
    typed: bool = False  # the sentence holds one
    lacks: frozenset[str] = frozenset()  # names, numbers the question specifies and its passage lacks
    contradicts: bool = False  # the question is negated, the sentence is not
    two_part: bool = False  # the question asks two things ("Who is X, and who is Y?")
    score: float = 0.0

    @property
    def unmet(self) -> int:
        """What the question specifies that this answer would leave out: each name counts 1,
        a number or year 2 ("in 2024" against "in 2022" is a near-miss on its own), a negated
        question answered by a sentence without a negation 2."""
        return (sum(2 if any(ch.isdigit() for ch in t) else 1 for t in self.lacks)
                + NEGATION * self.contradicts)

    @property
    def overlap(self) -> float:
        """Share of the question's (IDF-weighted) terms the sentence contains."""
        return sum(self.matched.values())

    @property
    def text(self) -> str:
        return self.passage.node.get_content()[self.start : self.end]


def spaced(text: str) -> str:
    """A quote of several sentences may span a line break; the answer reads it as one line."""
    return " ".join(text.split())


def is_statement(sentence: str) -> bool:
    """Headlines, table cells and fragments make poor answers: keep real sentences.
    A sentence with its own "[3]" (a footnote) would read as a citation marker, and one
    addressed to a language model is no statement of fact (rag/answer/injection.py)."""
    return (len(sentence.split()) >= _MIN_WORDS and bool(_STATEMENT_END.search(sentence))
            and not MARKER.search(sentence) and not suspicious(sentence))
