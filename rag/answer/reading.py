"""Answering with the reader: the best-scored sentences are read in their windows, and the
span the reader is surest of is the answer, with the sentence that holds it as its evidence.

The sentence scorer (rag/answer/extractive.py) still decides which sentences are worth
reading, and the reader reranks them: the answer cites the window whose span most beats
that window's "no answer" reading. When no window's span does by `reader_threshold`, the
question is taken as one the passages cannot answer.
"""

from dataclasses import dataclass, replace

from rag.answer.candidates import Candidate
from rag.answer.injection import blanked
from rag.text.sentences import sentence_spans
from rag.answer.reader.encode import window
from rag.answer.reader.model import Reader, Span


@dataclass
class Reading:
    span: Span
    candidate: Candidate  # the window's sentence; start/end widened to the sentences holding the span
    answer_start: int  # the span's offsets within the passage text
    answer_end: int


def read(reader: Reader, question: str, ranked: list[Candidate], windows: int) -> list[Reading]:
    """Readings of the best `windows` sentences' windows, best first."""
    chosen: list[tuple[Candidate, int, int]] = []
    seen: set[tuple[str, int, int]] = set()
    for candidate in ranked:
        if len(chosen) == windows:
            break
        text = candidate.passage.node.get_content()
        spans = sentence_spans(text)
        at = spans.index((candidate.start, candidate.end))
        start, end = window(spans, at)
        key = (candidate.passage.node.node_id, start, end)
        if key not in seen:
            seen.add(key)
            chosen.append((candidate, start, end))
    # Text addressed to a model (rag/answer/injection.py) is blanked, offsets kept: no span of it.
    texts = [blanked(c.passage.node.get_content())[s:e] for c, s, e in chosen]
    readings = []
    for (candidate, w_start, _), span in zip(chosen, reader.read(question, texts)):
        if span is None:
            continue
        text = candidate.passage.node.get_content()
        a_start, a_end = w_start + span.start, w_start + span.end
        holding = [(s, e) for s, e in sentence_spans(text) if s < a_end and e > a_start]
        quote = replace(candidate, start=holding[0][0], end=holding[-1][1]) if holding else candidate
        readings.append(Reading(span, quote, a_start, a_end))
    return sorted(readings, key=lambda r: r.span.margin, reverse=True)


def within(reading: Reading, quote: Candidate) -> bool:
    """Does the reading's span lie inside the quote (same passage, inside its offsets)?"""
    return (reading.candidate.passage.node.node_id == quote.passage.node.node_id
            and quote.start <= reading.answer_start and reading.answer_end <= quote.end)
