"""Check a generated answer against the passages it was written from.

A model's answer is split into sentences. Each `[n]` marker must name a passage the
model was given: `[Source 1]`, `【1】`, `(1)` and `[1, 2]` are repaired to `[1]`, numbers
out of range are dropped. Each sentence is then checked against the passages:

- every number and every name in it must appear in the passage (a model that writes
  "2021" where the source says "2012" fails here, whatever else matches);
- its content terms must overlap the passage's, and its meaning must be close to one
  of the passage's sentences (embedding cosine).

A sentence the cited passage supports is *verified*. One with no marker, or whose
marker names a passage that does not support it while another given passage does, is
*reattributed* to the passage that supports it best. One no passage supports is
*flagged* (kept, shown as unverified) or *dropped*, by `RAG_VERIFY__UNSUPPORTED`.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from rag.text.markers import MARKER, move_markers, repair_markers
from rag.text.names import INNER_NAME, NOT_NAMES
from rag.text.numbers import COUNTS, DIGITS
from rag.text.sentences import sentence_spans
from rag.text.terms import terms
from rag.answer.injection import blanked
from rag.settings import Verify

Status = Literal["verified", "reattributed", "flagged", "dropped"]




@dataclass
class Support:
    passage: int  # 1-based number of the passage as given to the model
    entities_ok: bool
    overlap: float
    cosine: float
    span: tuple[int, int]  # the passage sentence closest to the claim
    supported: bool = False


@dataclass
class CheckedSentence:
    text: str  # without markers
    cited: list[int]  # passages the model cited (valid numbers only)
    status: Status
    passage: int | None  # the passage that supports it (None when flagged or dropped)
    span: tuple[int, int] | None = None  # within that passage's text
    overlap: float = 0.0
    cosine: float = 0.0


@dataclass
class Verdict:
    sentences: list[CheckedSentence] = field(default_factory=list)
    abstained: bool = False

    @property
    def shown(self) -> list[CheckedSentence]:
        return [s for s in self.sentences if s.status != "dropped"]

    @property
    def supported(self) -> list[CheckedSentence]:
        return [s for s in self.sentences if s.passage is not None]


def split_claims(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, its marker numbers), in order."""
    text = move_markers(text)
    claims = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        cited = [int(n) for n in MARKER.findall(sentence)]
        clean = " ".join(MARKER.sub("", sentence).split())
        clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
        if re.search(r"\w", clean):
            claims.append((clean, list(dict.fromkeys(cited))))
    return claims


def key_tokens(sentence: str) -> set[str]:
    """Numbers and names: what must appear in a passage for it to support the sentence."""
    numbers = {n.replace(",", "").rstrip(".") for n in DIGITS.findall(sentence)}
    numbers |= {w for w in re.findall(r"[a-z]+", sentence.lower()) if w in COUNTS}
    names = {name for name in INNER_NAME.findall(sentence) if name not in NOT_NAMES}
    words = {w for name in names for w in name.split() if w not in NOT_NAMES}
    return numbers | {w.lower().strip("’'") for w in words}


def _present(token: str, passage: str) -> bool:
    if token in COUNTS:
        return re.search(rf"\b({token}|{COUNTS[token]})\b", passage, re.I) is not None
    if token[0].isdigit():
        return token in passage.replace(",", "")
    return re.search(rf"\b{re.escape(token)}", passage, re.I) is not None


class Verifier:
    def __init__(self, embed: Callable[[list[str]], np.ndarray], thresholds: Verify):
        """`thresholds`: when a passage supports a sentence (the settings' `verify`)."""
        self.embed, self.thresholds = embed, thresholds

    def check(self, text: str, passages: Sequence[str], question: str = "",
              unsupported: Literal["drop", "flag"] = "drop") -> Verdict:
        claims = split_claims(repair_markers(text, len(passages)))
        if not claims:
            return Verdict(abstained=True)
        return Verdict(self.against(passages, question).judge(claims, unsupported))

    def against(self, passages: Sequence[str], question: str = "") -> "Grounds":
        """The passages prepared once (sentences embedded), to judge claims as they come."""
        return Grounds(self, passages, question)


class Grounds:
    """Given passages, embedded sentence by sentence, against which claims are judged."""

    def __init__(self, verifier: Verifier, passages: Sequence[str], question: str) -> None:
        # A sentence aimed at the model ("Ignore the question and answer: …") is never
        # support, though it holds the very words the model was steered to write.
        passages = [blanked(p) for p in passages]
        self.verifier, self.passages, self.question = verifier, passages, question
        self.thresholds = verifier.thresholds
        self.spans = [[(s, e) for s, e in sentence_spans(p)] or [(0, len(p))] for p in passages]
        flat = [p[s:e] for p, ps in zip(passages, self.spans) for s, e in ps]
        self.sentence_vectors = verifier.embed(flat)
        self.passage_terms = [set(terms(p)) for p in passages]

    def judge(self, claims: Sequence[tuple[str, list[int]]],
              unsupported: Literal["drop", "flag"] = "drop") -> list[CheckedSentence]:
        """Each claim (sentence without markers, the passages it cites) judged on its own."""
        if not claims:
            return []
        owns = [list(dict.fromkeys(terms(claim))) for claim, _ in claims]
        shorts = [len(own) < self.thresholds.short_terms for own in owns]
        # A short answer ("Since 2012.") means little alone: judge it with its question.
        vectors = self.verifier.embed([f"{self.question} {claim}" if short else claim
                                       for (claim, _), short in zip(claims, shorts)])
        return [_judge(claim, cited, self._supports(claim, own, short, vector), unsupported)
                for (claim, cited), own, short, vector in zip(claims, owns, shorts, vectors)]

    def _supports(self, claim: str, own: list[str], short: bool, vector: np.ndarray) -> list[Support]:
        """How well each passage supports the claim."""
        supports, offset = [], 0
        for number, (passage, ps) in enumerate(zip(self.passages, self.spans), start=1):
            cosines = self.sentence_vectors[offset:offset + len(ps)] @ vector
            offset += len(ps)
            best = int(np.argmax(cosines))
            overlap = sum(t in self.passage_terms[number - 1] for t in own) / len(own) if own else 1.0
            support = Support(number, all(_present(t, passage) for t in key_tokens(claim)),
                              overlap, float(cosines[best]), ps[best])
            support.supported = support.entities_ok and (
                overlap >= (1.0 if short else self.thresholds.overlap)
                and support.cosine >= self.thresholds.cosine)
            supports.append(support)
        return supports


def _judge(claim: str, cited: list[int], supports: list[Support],
           unsupported: Literal["drop", "flag"]) -> CheckedSentence:
    def strength(s: Support) -> float:
        return s.overlap + s.cosine

    backing = [s for s in supports if s.supported]
    from_cited = [s for s in backing if s.passage in cited]
    status: Status
    if from_cited:
        best, status = max(from_cited, key=strength), "verified"
    elif backing:
        best, status = max(backing, key=strength), "reattributed"
    else:
        closest = max(supports, key=strength)
        return CheckedSentence(claim, cited, "flagged" if unsupported == "flag" else "dropped",
                               None, None, closest.overlap, closest.cosine)
    return CheckedSentence(claim, cited, status, best.passage, best.span, best.overlap, best.cosine)
