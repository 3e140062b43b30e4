"""The offline default: answer with the retrieved sentences that best answer the question.

Nothing is generated, so nothing can be hallucinated: every answer sentence is
verbatim from the passage it cites. Sentences are scored against the question
itself (embedding similarity plus IDF-weighted term overlap), not just by the score
of the chunk they sit in; when even the best sentence is a weak match, or its passage
lacks names, years or numbers the question specifies (a near-miss), the answer is the
abstention sentinel. The best sentence is quoted with the sentences around it, where
the asked fact often is; when it holds the whole question, its passage is the only one cited.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore

from rag.answer.backends import Backend, register
from rag.answer.base import Answer, Citation, cite
from rag.answer.candidates import Candidate, choose, decide, in_context, is_statement, sentence_score, spaced
from rag.answer.reading import read, within
from rag.answer.question import (abbreviable, acronyms, asked_type, compound, constraints, explains, has_type,
                                 mentioned, negated, opposed, plain_terms, question_words, span_has_type)
from rag.text.question_words import QUESTION_TERMS
from rag.text.sentences import sentence_spans
from rag.retrieve.condense import condense
from rag.index.lexical import LexicalIndex
from rag.answer.reader.model import Reader
from rag.index.sentence_vectors import SentenceVectors
from rag.settings import Settings, Weights

_CACHE_SIZE = 20_000  # sentence vectors kept (about 30 MB)


class ExtractiveAnswerer:
    def __init__(self, embed_model: BaseEmbedding, lexical: Callable[[], LexicalIndex],
                 settings: Settings, stored: SentenceVectors | None = None,
                 weights: Weights | None = None,
                 reader: Reader | Callable[[], Reader | None] | None = None) -> None:
        self.embed_model, self.lexical, self.settings = embed_model, lexical, settings
        self.stored = stored
        self.weights = weights or settings.answer.weights
        self.reader = reader  # or what loads it, on the first question: ingest never needs it
        self._cache: OrderedDict[str, list[float]] = OrderedDict()

    def standalone(self, question: str, history: list[str]) -> str:
        return condense(question, history)

    def stream(self, question: str, passages: list[NodeWithScore]) -> Iterator[Answer]:
        ranked = self.score(question, passages)
        if callable(self.reader):
            self.reader = self.reader()
        if self.reader is not None:
            yield self._read(question, ranked)
            return
        chosen = decide(ranked, self.weights, self.settings.answer.abstain_threshold, self.settings.answer.sentences)
        if not chosen:
            yield Answer.abstention(question)
            return
        for count in range(1, len(chosen) + 1):
            yield self._compose(question, chosen[:count], done=count == len(chosen))

    def score(self, question: str, passages: list[NodeWithScore]) -> list[Candidate]:
        """Every sentence of the passages, best first."""
        candidates = self._candidates(passages)
        if not candidates:
            return []
        vectors = self._vectors([c.text for c in candidates])
        query = np.array(self.embed_model.get_query_embedding(question))
        for candidate, vector in zip(candidates, vectors):
            candidate.cosine = float(vector @ query)
        annotate(question, candidates, self.lexical())
        for candidate in candidates:
            candidate.score = sentence_score(self.weights, candidate)
        return sorted(candidates, key=lambda c: c.score, reverse=True)

    def best_sentences(self, question: str, passages: list[NodeWithScore]) -> dict[str, int]:
        best: dict[str, int] = {}
        for candidate in self.score(question, passages):
            best.setdefault(candidate.passage.node.node_id, candidate.start)
        return best

    def _vectors(self, texts: list[str]) -> np.ndarray:
        # Ingest stored each sentence's vector (rag/index/sentence_vectors.py). Sentences it did
        # not (an index built before, or by another machine on a shared Chroma server)
        # are embedded here, and recent ones remembered.
        found: dict[str, Any] = self.stored.get(texts) if self.stored else {}
        found |= {t: v for t in texts if t not in found and (v := self._cache.get(t)) is not None}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            # Kept in `found` too: another question answered meanwhile may evict them.
            embedded = dict(zip(missing, self.embed_model.get_text_embedding_batch(missing)))
            found |= embedded
            self._cache.update(embedded)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return np.array([found[t] for t in texts])

    def _candidates(self, passages: list[NodeWithScore]) -> list[Candidate]:
        seen: set[tuple[str, int]] = set()  # overlapping chunks repeat sentences
        candidates = []
        for rank, passage in enumerate(passages):
            node = passage.node
            text, base = node.get_content(), node.start_char_idx or 0
            for start, end in sentence_spans(text):
                key = (node.ref_doc_id or node.node_id, base + start)
                if key in seen or not is_statement(text[start:end]):
                    continue
                seen.add(key)
                candidates.append(Candidate(rank, passage, start, end))
        return candidates

    def _read(self, question: str, ranked: list[Candidate]) -> Answer:
        """The reader decides: the abstention unless a span (of the asked type) beats its
        window's no-answer reading by `reader.threshold`; else the span in bold, then the
        sentence that holds it (`reader.quote="span"`), or the rules' quote it leads."""
        assert isinstance(self.reader, Reader)
        settings = self.settings.answer.reader
        if not ranked or (settings.near_miss and ranked[0].unmet > self.weights.missing) or \
                (settings.floor and ranked[0].score < self.settings.answer.abstain_threshold):
            return Answer.abstention(question)
        # A follow-up reads as the condensed question: its own words, then the earlier turns.
        own = question.split(" (")[0]
        kind = asked_type(own) if settings.typed else None
        said = question_words(question)
        readings = read(self.reader, question, ranked, settings.windows, settings.spans, settings.first,
                        settings.decisive, accept=lambda text: span_has_type(text, kind, said))
        readings = [r for r in readings if r.span.margin >= settings.threshold]
        if not readings:
            return Answer.abstention(question)
        # Of the spans the reader would answer with, the one it is surest of, helped by how
        # well the sentence holding it matches the question (`reader.prior`).
        scores = {(c.passage.node.node_id, c.start): c.score for c in ranked}
        best = max(readings, key=lambda r: r.span.margin + settings.prior * scores.get(
            (r.candidate.passage.node.node_id, r.candidate.start), 0.0))
        two_part = settings.two_part == "rules" and ranked[0].two_part
        if settings.quote == "span" and not two_part and best.span.margin < settings.lead \
                and settings.unsure != "sentence":
            # Not sure enough of the span to show it in bold: the rules' quote, unled ('both':
            # after the span's sentence, when the quote does not hold it).
            chosen = choose(ranked, self.weights, self.settings.answer.sentences)
            if settings.unsure == "both" and not any(_holds(c, best.candidate) for c in chosen):
                chosen = [best.candidate, *chosen]
            return self._compose(question, chosen, done=True)
        if settings.quote == "span" and not two_part:
            quote = best.candidate
            if settings.neighbours == "untyped" and asked_type(own) is None or \
                    settings.neighbours == "why-how" and explains(own):
                quote = in_context([quote])[0]
            sure = best.span.margin >= settings.lead  # else the sentence alone, unled
            return self._compose(question, [quote], done=True, lead=_span_text(best.span.text) if sure else "")
        # The rules' quote; a question that asks two things is answered so too (its parts
        # seldom share a sentence), led by a span.
        chosen = choose(ranked, self.weights, self.settings.answer.sentences)
        inside = next((r.span.margin for r in readings if within(r, chosen[0])), float("-inf"))
        # The reader reranks: a span elsewhere that it is much surer of than of any span in
        # the rules' quote moves the answer to its sentence.
        if not two_part and best.span.margin - inside >= settings.rerank:
            chosen = [best.candidate if asked_type(question) else in_context([best.candidate])[0]]
        # The lead is the surest span inside the first quote, so [1] cites where it stands.
        lead = next((r for r in readings if within(r, chosen[0])), None)
        return self._compose(question, chosen, done=True, lead=_span_text(lead.span.text) if lead else "")

    def _compose(self, question: str, chosen: list[Candidate], done: bool, lead: str = "") -> Answer:
        citations: dict[str, Citation] = {}
        parts = []
        for candidate in chosen:
            node = candidate.passage.node
            citation = citations.get(node.node_id)
            if citation is None:
                citation = citations[node.node_id] = cite(len(citations) + 1, candidate.passage)
            citation.highlights.append((candidate.start, candidate.end))
            parts.append(f"{spaced(candidate.text)} [{citation.n}]")
        for citation in citations.values():
            citation.highlights.sort()
        if lead:  # the reader's short answer, from the first cited passage
            parts.insert(0, f"**{lead}** [1]")
        return Answer(question=question, answer=" ".join(parts), abstained=False,
                      citations=list(citations.values()), done=done)


def annotate(question: str, candidates: list[Candidate], lexical: LexicalIndex) -> None:
    """Set each candidate's term-level features: which question terms it holds, whether it
    holds the asked kind of answer, and how much of the question its passage leaves out."""
    weights = {t: lexical.idf(t) for t in set(plain_terms(question)) - QUESTION_TERMS}
    total = sum(weights.values()) or 1.0
    # Negation and two parts are read from the question itself, not the earlier turns
    # condense() appended.
    own = question.split(" (")[0]
    kind, asks_negated, two_part = asked_type(question), negated(own), compound(own)
    lacks = _lacks(own, list({id(c.passage): c.passage for c in candidates}.values()))
    for candidate in candidates:
        present = set(plain_terms(candidate.text))
        candidate.matched = {t: w / total for t, w in weights.items() if t in present}
        candidate.asks = kind is not None
        candidate.typed = has_type(candidate.text, kind, set(weights))
        # A negated question answered by a sentence without a negation is a near-miss too.
        candidate.lacks = lacks[candidate.passage.node.node_id]
        candidate.contradicts = asks_negated and not negated(candidate.text)
        candidate.two_part = two_part


def _lacks(question: str, passages: list[NodeWithScore]) -> dict[str, frozenset[str]]:
    """Per passage, the names, numbers and years the question specifies that neither it
    nor its document's title mentions. A question that asks two things ("Who is X, and
    who is Y?") may find each in its own passage: it lacks only what none mentions."""
    specified, opposites, initials = constraints(question), opposed(question), abbreviable(question)
    lacks = {}
    for passage in passages:
        node = passage.node
        text = f"{node.metadata.get('title', '')} {node.get_content()}"
        present, spelled_out = set(plain_terms(text)), acronyms(text)
        abbreviated = {t for short, named in initials.items() if short in present for t in named}
        lacks[node.node_id] = frozenset(
            {t for t in specified - abbreviated if not mentioned(t, present, spelled_out)}
            | {w for w in opposites if w not in text.lower()})
    if compound(question):
        lacking_everywhere = frozenset.intersection(*lacks.values()) if lacks else frozenset()
        lacks = dict.fromkeys(lacks, lacking_everywhere)
    return lacks


def _holds(quote: Candidate, sentence: Candidate) -> bool:
    return (quote.passage.node.node_id == sentence.passage.node.node_id
            and quote.start <= sentence.start and sentence.end <= quote.end)


def _span_text(text: str) -> str:
    """The span as a short answer: one line, without the comma or full stop it ran into."""
    return spaced(text).strip(" ,;:.")


register(Backend(
    name="extractive", summary="sentences quoted from the passages (default)",
    build=lambda r: ExtractiveAnswerer(r.embed_model, r.lexical, r.settings, SentenceVectors(r.settings),
                                       reader=r.reader),
    runnable=lambda settings: True))
