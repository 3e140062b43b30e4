"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused into one.

BM25 wins on names and rare terms, dense on paraphrase; on long news articles the
fusion beats either alone. Fusion is a weighted sum of the cosine and of the BM25
score scaled by the query's best BM25 score: unlike reciprocal rank fusion it keeps
how far ahead a candidate is, which matters on small corpora where one passage
holds every query term (benchmarks/tune.py compares the two). Each returned node
carries its cosine in `metadata["dense_score"]`, an absolute signal that fused
scores are not.
"""

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from rag.time.as_of import prefer_window, question_window, today
from rag.retrieve.filters import Filters, prefer_recent, wants_recent
from rag.index.lexical import LexicalIndex, refresh_lexical
from rag.index.sentence_vectors import SentenceVectors
from rag.settings import Settings
from rag.index.store import Store
from rag.text.sentences import sentence_spans

_ALLOWED_KEPT = 8  # filters whose allowed chunk ids are kept


@dataclass(frozen=True)
class SearchRequest:
    """What one search asks for, carried through the call: the shared retriever holds no
    per-question state, so two questions can be answered at once."""

    k: int
    filters: Filters = field(default_factory=Filters)
    as_of: str | None = None  # an ISO date: search the corpus as it stood then (time-aware news)
    dense_weight: float | None = None  # the cosine's share in fusion; None: the settings'


@dataclass
class Rankings:
    cosines: dict[str, float]  # chunk id -> cosine, for the dense candidates
    bm25: dict[str, float]  # chunk id -> BM25 score, for the lexical candidates
    nodes: dict[str, TextNode]  # the dense candidates' nodes, fetched with them


def fuse(rankings: Rankings, dense_weight: float) -> dict[str, float]:
    best_bm25 = max(rankings.bm25.values(), default=0.0) or 1.0
    # A candidate only one ranking found gets that ranking's floor from the other.
    floor_cos = min(rankings.cosines.values(), default=0.0)
    return {
        chunk_id: dense_weight * rankings.cosines.get(chunk_id, floor_cos)
        + (1 - dense_weight) * rankings.bm25.get(chunk_id, 0.0) / best_bm25
        for chunk_id in rankings.cosines.keys() | rankings.bm25.keys()
    }


def cap_per_document(ranked: list[str], k: int, per_document: int) -> list[str]:
    """The best `k` chunk ids, at most `per_document` of them from one document (0: no
    cap), so one long article cannot fill the top k; if too few documents are left to
    fill it, the best of the rest follow."""
    if per_document <= 0:
        return ranked[:k]
    taken: dict[str, int] = {}
    first: list[str] = []
    rest: list[str] = []
    for chunk_id in ranked:
        doc = chunk_id.rsplit("::", 2)[0]  # chunk ids are doc_id::hash::index (rag/ingest/chunk.py)
        taken[doc] = taken.get(doc, 0) + 1
        (first if taken[doc] <= per_document else rest).append(chunk_id)
    return (first + rest)[:k]


def best_sentences(nodes: dict[str, TextNode], query: np.ndarray,
                   stored: SentenceVectors) -> dict[str, float]:
    """Each chunk's best sentence cosine to `query`, from the vectors ingest stored (a
    chunk none of whose sentences are stored is left out: nothing is embedded here)."""
    texts_of = {i: n.get_content() for i, n in nodes.items()}
    spans = {i: [text[s:e] for s, e in sentence_spans(text)] for i, text in texts_of.items()}
    found = stored.get(list({t for texts in spans.values() for t in texts}))
    return {i: max(float(found[t] @ query) for t in texts if t in found)
            for i, texts in spans.items() if any(t in found for t in texts)}


class HybridRetriever(BaseRetriever):
    def __init__(self, store: Store, embed_model: BaseEmbedding, settings: Settings,
                 sentences: SentenceVectors | None = None, sentence_model: BaseEmbedding | None = None) -> None:
        """`sentences` and `sentence_model`: the stored sentence vectors and what embedded
        them, for the dense score's sentence share (`retrieval.sentence_share`)."""
        super().__init__()
        self.store, self.embed_model, self.settings = store, embed_model, settings
        self.sentences, self.sentence_model = sentences, sentence_model or embed_model
        self._lexical: LexicalIndex | None = None
        self._generation: str | None = None  # of the collection BM25 was last checked against
        self._refreshing = threading.Lock()  # one refresh at a time: it rewrites the saved index
        # The chunk ids a filter allows, per collection generation: listing them costs a
        # full Chroma scan (370 ms at 20k chunks), and a chat keeps its as-of date.
        self._allowed: OrderedDict[tuple[str | None, str], frozenset[str]] = OrderedDict()
        self._allowed_lock = threading.Lock()

    def lexical(self) -> LexicalIndex:
        # Another writer (a CLI ingest, another UI on a shared Chroma server) may have
        # changed the collection since: its generation token tells, at the cost of one call.
        if self._lexical is None or self.store.generation() != self._generation:
            return self.refresh()
        return self._lexical

    def refresh(self) -> LexicalIndex:
        """Bring BM25 in line with the collection now (after an ingest or a delete)."""
        with self._refreshing:
            # Read before listing ids: a write meanwhile leaves a newer token, so we look again.
            generation = self.store.generation()
            self._lexical = refresh_lexical(self.store, self.settings, self._lexical)
            self._generation = generation
            return self._lexical

    def search(self, query: str, request: SearchRequest) -> list[NodeWithScore]:
        """The best `request.k` chunks for `query` within `request.filters`."""
        bundle = QueryBundle(query)
        results, stale = self._fused(bundle, request)
        if stale:  # BM25 named a chunk the collection no longer has: catch up, look again
            self.refresh()
            results, _ = self._fused(bundle, request)
        return results

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        """llama-index's entry point: the settings' top k, unfiltered."""
        return self.search(query_bundle.query_str, SearchRequest(self.settings.retrieval.top_k))

    def rankings(self, query_bundle: QueryBundle, filters: Filters) -> Rankings:
        lexical = self.lexical()
        if not lexical.ids:  # BM25 follows the collection: both are empty
            return Rankings({}, {}, {})
        if query_bundle.embedding is None:
            query_bundle.embedding = self.embed_model.get_query_embedding(query_bundle.query_str)
        where = filters.where()
        allowed = self._allowed_ids(where) if where else None
        cosines, nodes = self._nearest(query_bundle.embedding, where, allowed, len(lexical.ids))
        if (share := self.settings.retrieval.sentence_share) and self.sentences is not None:
            # A chunk's vector blurs its sentences together; its best sentence finds the one
            # fact a question asks about. At 0.3 (preset sentence-evidence) squad2 dev hit@5
            # 0.967 -> 0.975 and MRR 0.887 -> 0.900, but pass rate 0.737 -> 0.731 (evals/README.md).
            query = query_bundle.embedding if self.sentence_model is self.embed_model \
                else self.sentence_model.get_query_embedding(query_bundle.query_str)
            best = best_sentences(nodes, np.array(query), self.sentences)
            cosines = {i: (1 - share) * c + share * best.get(i, c) for i, c in cosines.items()}
        bm25 = dict(lexical.search(query_bundle.query_str, self.settings.retrieval.candidates,
                                   set(allowed) if allowed is not None else None))
        return Rankings(cosines, bm25, nodes)

    def _allowed_ids(self, where: dict) -> frozenset[str]:
        key = (self._generation, json.dumps(where, sort_keys=True))
        with self._allowed_lock:
            if key in self._allowed:
                self._allowed.move_to_end(key)
                return self._allowed[key]
        allowed = frozenset(self.store.chunk_ids(where))
        with self._allowed_lock:
            self._allowed[key] = allowed
            while len(self._allowed) > _ALLOWED_KEPT:
                self._allowed.popitem(last=False)
        return allowed

    def _nearest(self, embedding: list[float], where: dict | None, allowed: frozenset[str] | None,
                 total: int) -> tuple[dict[str, float], dict[str, TextNode]]:
        """The dense candidates within the filter. Chroma's filtered search is about six times
        slower than a plain one; when the filter keeps most chunks (an as-of date usually
        does), a plain search for a few more, less those the filter drops, finds the same."""
        k = self.settings.retrieval.candidates
        if allowed is not None and total and len(allowed) >= total / 2:
            cosines, nodes = self.store.nearest(embedding, min(2 * k, total))
            kept = [i for i in sorted(cosines, key=cosines.__getitem__, reverse=True) if i in allowed][:k]
            if len(kept) == min(k, len(allowed)):
                return {i: cosines[i] for i in kept}, {i: nodes[i] for i in kept if i in nodes}
        return self.store.nearest(embedding, k, where)

    def _fused(self, query_bundle: QueryBundle,
               request: SearchRequest) -> tuple[list[NodeWithScore], bool]:
        """The best `request.k` chunks the collection has, and whether BM25 named others."""
        rankings = self.rankings(query_bundle, request.filters)
        weight = self.settings.retrieval.dense_weight if request.dense_weight is None else request.dense_weight
        fused = fuse(rankings, weight)
        recent = wants_recent(query_bundle.query_str)
        window = question_window(query_bundle.query_str, request.as_of or today())
        if recent or (window and self.settings.retrieval.time_bonus):
            days = self._days(list(fused), rankings)
            if recent:
                fused = prefer_recent(fused, days, self.settings.retrieval.recency_bonus)
            if window and self.settings.retrieval.time_bonus:
                fused = prefer_window(fused, days, window, self.settings.retrieval.time_bonus)
        best = cap_per_document(sorted(fused, key=fused.__getitem__, reverse=True), request.k,
                                self.settings.retrieval.chunks_per_document)
        missing = [i for i in best if i not in rankings.nodes]
        nodes = {**rankings.nodes, **{n.node_id: n for n in self.store.nodes(missing)}}
        cosines = {**rankings.cosines, **self._cosines(missing, query_bundle.embedding)}
        found = [i for i in best if i in nodes and i in cosines]
        results = []
        for chunk_id in found:
            node = nodes[chunk_id]
            node.metadata["dense_score"] = round(cosines[chunk_id], 4)
            results.append(NodeWithScore(node=node, score=fused[chunk_id]))
        return results, len(found) < len(best)

    def _days(self, ids: list[str], rankings: Rankings) -> dict[str, int]:
        known = {i: n.metadata for i, n in rankings.nodes.items()}
        metas = {**self.store.metadatas([i for i in ids if i not in known]), **known}
        return {i: int(metas.get(i, {}).get("published_day") or 0) for i in ids}

    def _cosines(self, ids: list[str], query: list[float] | None) -> dict[str, float]:
        if query is None:  # nothing was searched
            return {}
        return {i: float(np.dot(v, query)) for i, v in self.store.embeddings(ids).items()}
