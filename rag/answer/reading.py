"""Answering with the reader: the best-scored sentences are read in their windows, and the
span the reader is surest of is the answer, with the sentence that holds it as its evidence.

The sentence scorer (rag/answer/extractive.py) still decides which sentences are worth
reading; the reader decides what the answer is and whether there is one. Each window gives
its best few spans (`Reader.spans`), so a question asking for a number, a date or a name can
take the surest span of that kind (`accept`). The windows of the best sentences are read
first, in one ONNX call; the rest only when no span there is decisive.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from rag.answer.candidates import Candidate, is_statement
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


def read(reader: Reader, question: str, ranked: list[Candidate], windows: int, spans: int = 1,
         first: int | None = None, decisive: float = float("inf"),
         accept: Callable[[str], bool] = lambda text: True) -> list[Reading]:
    """Readings of the best `windows` sentences' windows whose span `accept`s, best first:
    up to `spans` a window. The first `first` windows are read alone, and the rest only when
    no accepted span of theirs beats its no-answer reading by `decisive`."""
    chosen: list[tuple[Candidate, int, int]] = []
    seen: set[tuple[str, int, int]] = set()
    for candidate in ranked:
        if len(chosen) == windows:
            break
        text = candidate.passage.node.get_content()
        sentences = sentence_spans(text)
        start, end = window(sentences, sentences.index((candidate.start, candidate.end)))
        key = (candidate.passage.node.node_id, start, end)
        if key not in seen:
            seen.add(key)
            chosen.append((candidate, start, end))
    readings: list[Reading] = []
    cut = len(chosen) if first is None else min(first, len(chosen))
    for batch in (chosen[:cut], chosen[cut:]):
        if not batch or (readings and readings[0].span.margin >= decisive):
            break
        readings = sorted(readings + _readings(reader, question, batch, spans, accept),
                          key=lambda r: r.span.margin, reverse=True)
    return readings


def _readings(reader: Reader, question: str, chosen: list[tuple[Candidate, int, int]], count: int,
              accept: Callable[[str], bool]) -> list[Reading]:
    # Text addressed to a model (rag/answer/injection.py) is blanked, offsets kept: no span of it.
    texts = [blanked(c.passage.node.get_content())[s:e] for c, s, e in chosen]
    readings = []
    for (candidate, w_start, _), found in zip(chosen, reader.spans(question, texts, count)):
        text = candidate.passage.node.get_content()
        sentences = sentence_spans(text)
        for span in found:
            if not span.text.strip() or not accept(span.text):
                continue
            a_start, a_end = w_start + span.start, w_start + span.end
            holding = [(s, e) for s, e in sentences if s < a_end and e > a_start]
            if not holding or not all(is_statement(text[s:e]) for s, e in holding):
                continue  # a span in a headline or a caption is no answer to quote
            quote = replace(candidate, start=holding[0][0], end=holding[-1][1])
            readings.append(Reading(span, quote, a_start, a_end))
    return readings


def within(reading: Reading, quote: Candidate) -> bool:
    """Does the reading's span lie inside the quote (same passage, inside its offsets)?"""
    return (reading.candidate.passage.node.node_id == quote.passage.node.node_id
            and quote.start <= reading.answer_start and reading.answer_end <= quote.end)
