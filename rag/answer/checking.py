"""Check a model's answer sentence by sentence while it is being written.

A sentence counts as complete once words follow it: a full stop alone is not enough,
because a marker written after the stop ("Done. [1]") still belongs to the sentence,
and a half-written one ("Done. [Sou") may yet become one. Each complete sentence is
judged once, against passages embedded once, and the judgement is kept: the verdict on
the finished text reuses it, so what streamed is what the final answer keeps.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rag.text.sentences import sentence_spans
from rag.text.markers import HALF_MARKER, SPACED_MARKER, move_markers, repair_markers
from rag.answer.verify import CheckedSentence, Grounds, Verdict, Verifier, split_claims

_OPENING, _CLOSING = "[(【〔", "])】〕"

Claim = tuple[str, tuple[int, ...]]  # a sentence without markers, the passages it cites


@dataclass
class Progress:
    """What the model has written so far: its complete sentences, judged, and the rest."""

    checked: list[CheckedSentence]
    tail: str  # the unfinished sentence, as written (markers, even half-written, left out)


class SentenceChecker:
    """Judges the sentences of one answer as they complete, each once."""

    def __init__(self, verifier: Verifier, passages: Sequence[str], question: str,
                 unsupported: Literal["drop", "flag"]) -> None:
        self.verifier, self.passages, self.question = verifier, passages, question
        self.unsupported = unsupported
        self._grounds: Grounds | None = None  # embedded on the first sentence to judge
        self._judged: dict[Claim, CheckedSentence] = {}

    def feed(self, text: str) -> Progress:
        """`text`: the whole answer so far (not a delta)."""
        text = move_markers(repair_markers(text, len(self.passages)))
        end = 0
        for _, sentence_end in sentence_spans(text):
            if _words_follow(text[sentence_end:]):
                end = sentence_end
        tail = HALF_MARKER.sub("", SPACED_MARKER.sub("", text[end:]))
        return Progress(self._judge(split_claims(text[:end])), " ".join(tail.split()))

    def verdict(self, text: str) -> Verdict:
        """The finished answer judged exactly as `Verifier.check` judges it, reusing the
        judgements made while it streamed."""
        claims = split_claims(repair_markers(text, len(self.passages)))
        if not claims:
            return Verdict(abstained=True)
        return Verdict(self._judge(claims))

    def _judge(self, claims: list[tuple[str, list[int]]]) -> list[CheckedSentence]:
        keys = [(claim, tuple(cited)) for claim, cited in claims]
        new = [key for key in dict.fromkeys(keys) if key not in self._judged]
        if new:
            if self._grounds is None:
                self._grounds = self.verifier.against(self.passages, self.question)
            judged = self._grounds.judge([(claim, list(cited)) for claim, cited in new],
                                         self.unsupported)
            self._judged.update(zip(new, judged))
        return [self._judged[key] for key in keys]


def _words_follow(rest: str) -> bool:
    """Whether `rest` starts a next sentence: words outside markers and outside a
    bracket still open (which may close as a marker of the sentence before)."""
    rest = SPACED_MARKER.sub("", rest)
    opened: list[int] = []
    for i, char in enumerate(rest):
        if char in _OPENING:
            opened.append(i)
        elif char in _CLOSING and opened:
            opened.pop()
    if opened:
        rest = rest[:opened[0]]
    return re.search(r"\w", rest) is not None
