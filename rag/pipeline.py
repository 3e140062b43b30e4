"""The whole flow behind one object: ingest, search, and ask (condense → retrieve → answer).

The CLI, the chat UI and the evals all go through this, so they answer identically.
"""

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import cast

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore

from rag.index import embedder as index_embedder
from rag.answer import Answer, Answerer
from rag.answer.base import final, unsupported_sentences
from rag.answer.backends import BackendUnavailable, Resources, build
from rag.answer.crosslingual import CrossLingualAnswerer
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.over_time import (asks_change, change_answer, dated_statements, support,
                                  with_disagreement)
from rag.answer.question import readable
from rag.time.as_of import question_window, today
from rag.embed.embedders import embedder, multilingual, sentence_embedder
from rag.retrieve.filters import Filters, resolve_sources
from rag.index.errors import guarded
from rag.ingest.update import IngestReport, Progress, Warn, finish_removals, ingest, remove_document
from rag.answer.language import in_other_language
from rag.index.lock import WriterLock
from rag.prompts import OTHER_LANGUAGE
from rag.answer.reader.model import READER_DIR, Reader, shared_reader
from rag.retrieve.retriever import HybridRetriever, SearchRequest
from rag.index.sentence_vectors import SentenceVectors
from rag.settings import Settings
from rag.index.store import IndexedDocument, Store


def default_embedder(settings: Settings) -> BaseEmbedding:
    return embedder(settings)


class Pipeline:
    @guarded
    def __init__(self, settings: Settings | None = None, embed_model: BaseEmbedding | None = None,
                 create: bool = True, sentence_model: BaseEmbedding | None = None):
        """`create=False` for readers (`rag ask`, `rag search`): never create an index.
        `embed_model` embeds chunks and questions for retrieval; `sentence_model` the
        sentences the answer is quoted from (default: the one rag/embed/embedders.py pairs with
        it; a given `embed_model` does both)."""
        self.settings = settings or Settings()
        self.store = Store(self.settings, create)
        self.embed_model = embed_model or default_embedder(self.settings)
        self.sentence_model = sentence_model or (embed_model or sentence_embedder(self.settings, self.embed_model))
        self._checked: str | None = None  # the collection generation the embedders were checked at
        self.writer = WriterLock(self.settings.index_dir, enabled=not self.settings.chroma_url)
        self.retriever = HybridRetriever(self.store, self.embed_model, self.settings,
                                         SentenceVectors(self.settings), self.sentence_model)
        self._answerers: dict[str, Answerer] = {}
        self._building = threading.RLock()  # two questions must not load one model twice
        self.answerer = self.answerer_for(self.settings.answer.backend)

    def answerer_for(self, backend: str) -> Answerer:
        """A backend's answerer, built on first use (an LLM backend loads or reaches its model)."""
        with self._building:
            if backend not in self._answerers:
                # Answerers score sentences and check claims: with the sentence embedder.
                resources = Resources(self.settings, self.sentence_model, self.retriever.lexical,
                                      self.answerer_for, self.reader)
                self._answerers[backend] = build(backend, resources)
            return self._answerers[backend]

    @cached_property
    def crosslingual(self) -> CrossLingualAnswerer:
        """The answerer for questions in other languages, built on the first one."""
        return CrossLingualAnswerer(self.embed_model, self.retriever.lexical, self.settings)

    def reader(self) -> Reader | None:
        if not self.settings.answer.reader.enabled:
            return None
        return shared_reader(self.settings.answer.reader.dir or READER_DIR)

    @guarded
    def ingest(self, path: Path | None = None, progress: Progress | None = None,
               show_progress: bool = False, only: list[str] | None = None,
               warn: Warn | None = None) -> IngestReport:
        with self.writer:
            self.check_embedders()
            index_embedder.record(self.store, self.embed_model, self.sentence_model)
            report = ingest(Path(path or self.settings.corpus_dir), self.store, self.embed_model,
                            self.settings, progress=progress, show_progress=show_progress, only=only,
                            warn=warn, sentence_model=self.sentence_model)
            self.retriever.refresh()  # BM25 follows the collection, swapped in at once
            return report

    @guarded
    def count(self) -> int:
        return self.store.count()

    @guarded
    def documents(self) -> list[IndexedDocument]:
        return sorted(self.store.documents().values(), key=lambda d: d.doc_id)

    @guarded
    def delete(self, doc_id: str) -> None:
        with self.writer:
            sentences = SentenceVectors(self.settings)
            finish_removals(self.store, sentences)
            remove_document(self.store, sentences, doc_id)
            self.retriever.refresh()  # BM25 follows the collection

    @guarded
    def sources(self) -> list[str]:
        """The publishers/sites the indexed documents name, for filters."""
        names = {str(d.metadata["source"]) for d in self.store.documents().values()
                 if d.metadata.get("source")}
        return sorted(names, key=str.casefold)

    def filters(self, since: str | None = None, until: str | None = None,
                sources: list[str] | tuple[str, ...] = (), as_of: str | None = None) -> Filters:
        """Filters from what a user typed, source names matched to the indexed ones."""
        asked = Filters.parse(since, until, sources, as_of)
        if not asked.sources:
            return asked
        return replace(asked, sources=tuple(resolve_sources(asked.sources, self.sources())))

    @guarded
    def check_embedders(self) -> None:
        """Refuse an index other embedders wrote (rag/index/embedder.py); checked again only
        when a writer marked the collection changed."""
        if (generation := self.store.generation()) != self._checked:
            index_embedder.check(self.store, self.embed_model, self.sentence_model, self.settings)
            self._checked = generation

    @guarded
    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               dense_weight: float | None = None) -> list[NodeWithScore]:
        self.check_embedders()
        filters = filters or Filters()
        request = SearchRequest(k or self.settings.retrieval.top_k, filters, filters.as_of, dense_weight)
        return self.retriever.search(query, request)

    @guarded
    def stream(self, question: str, history: list[str] | None = None,
               k: int | None = None, filters: Filters | None = None,
               backend: str | None = None) -> Iterator[Answer]:
        """Partial answers as they form; the last one is final and carries the latency.
        `backend` picks another answer backend than the settings' for this question."""
        started = time.perf_counter()
        question, notice = readable(question), ""
        try:
            answerer = self.answerer_for(backend) if backend else self.answerer
        except BackendUnavailable as error:  # the UI offered it; say why, answer as before
            answerer, notice = self.answerer, f"The {backend} backend is unavailable: {error}"
        standalone = answerer.standalone(question, history or [])
        crosslingual = in_other_language(question) and multilingual(self.embed_model)
        weight = self.settings.answer.crosslingual.dense_weight if crosslingual else None
        passages = self.search(standalone, k, filters, weight)
        retrieved = [p.node.metadata.get("doc_id", p.node.ref_doc_id) for p in passages]
        # Change answers, disagreements and source counts read sentences as the quoted answer does.
        quoting, changed = cast(ExtractiveAnswerer, self.answerer_for("extractive")), None
        as_of = filters.as_of if filters else None
        timed = as_of or (today() if question_window(standalone, today()) else "")
        if not passages:
            answers: Iterator[Answer] = iter([Answer.abstention(question)])
        elif crosslingual:
            answers = self.crosslingual.stream(standalone, passages)
        elif in_other_language(question):  # the passages share names with it, nothing more
            answers = iter([Answer.abstention(question, OTHER_LANGUAGE)])
        elif asks_change(standalone) and (changed := change_answer(standalone, passages, quoting)):
            answers = iter([changed])  # dated statements in time order
        else:
            answers = answerer.stream(standalone, passages)
        for answer in answers:
            if answer.done and not answer.sentences and unsupported_sentences(answer):
                # A quoted answer that says what its cited passage does not: show nothing of it.
                # (A generated answer carries the verifier's verdict on each sentence instead.)
                answer = Answer.abstention(question)
            answer.question, answer.searched_for, answer.retrieved = question, standalone, retrieved
            answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
            answer.notice = answer.notice or notice
            answer.as_of = timed
            if answer.done and not answer.abstained:
                if answer is changed:
                    answer.answer = dated_statements(answer)
                elif answer.backend == "extractive":
                    answer = with_disagreement(answer, standalone, passages, quoting)
                answer.support = support(answer, passages, quoting)
            yield answer

    def ask(self, question: str, history: list[str] | None = None, k: int | None = None,
            filters: Filters | None = None) -> Answer:
        return final(self.stream(question, history, k, filters))
