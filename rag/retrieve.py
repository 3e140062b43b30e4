"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank fusion.

BM25 wins on names and rare terms, dense on paraphrase; on long news articles the
fusion beats either alone. Each returned node carries its dense cosine in
`metadata["dense_score"]` because answering and abstention need an absolute signal,
which RRF scores are not.
"""

import math

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores.types import VectorStoreQuery

from rag.ingest import refresh_lexical
from rag.lexical import LexicalIndex
from rag.settings import Settings
from rag.store import Store

# Candidates taken from each ranking before fusion.
_CANDIDATES = 30


class HybridRetriever(BaseRetriever):
    def __init__(self, store: Store, embed_model: BaseEmbedding, settings: Settings) -> None:
        super().__init__()
        self.store, self.embed_model, self.settings = store, embed_model, settings
        self.top_k = settings.top_k
        self._lexical: LexicalIndex | None = None

    def lexical(self) -> LexicalIndex:
        # Another writer (the UI, a shared Chroma server) may have changed the
        # collection since we loaded BM25: the chunk count tells, at the cost of one call.
        if self._lexical is None or len(self._lexical.ids) != self.store.count():
            self._lexical = refresh_lexical(self.store, self.settings)
        return self._lexical

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        if query_bundle.embedding is None:
            query_bundle.embedding = self.embed_model.get_query_embedding(query_bundle.query_str)
        dense = self.store.vector_store.query(
            VectorStoreQuery(query_embedding=query_bundle.embedding, similarity_top_k=_CANDIDATES)
        )
        # ChromaVectorStore reports exp(-distance); with cosine space distance = 1 - cos.
        cosines = {i: 1.0 + math.log(s) for i, s in zip(dense.ids, dense.similarities) if s > 0}
        lexical = self.lexical().search(query_bundle.query_str, _CANDIDATES)

        fused: dict[str, float] = {}
        for ranking in (list(dense.ids), [chunk_id for chunk_id, _ in lexical]):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
        best = sorted(fused, key=fused.get, reverse=True)[: self.top_k]

        known = {node.node_id: node for node in dense.nodes}
        missing = [i for i in best if i not in known]
        known.update({node.node_id: node for node in self.store.nodes(missing)})
        self._fill_cosines(cosines, missing, query_bundle.embedding)
        results = []
        for chunk_id in best:
            node = known[chunk_id]
            node.metadata["dense_score"] = round(cosines.get(chunk_id, 0.0), 4)
            results.append(NodeWithScore(node=node, score=fused[chunk_id]))
        return results

    def _fill_cosines(self, cosines: dict[str, float], ids: list[str], query: list[float]) -> None:
        if not ids:
            return
        got = self.store.collection.get(ids=ids, include=["embeddings"])
        for chunk_id, vector in zip(got["ids"], got["embeddings"]):
            cosines[chunk_id] = float(np.dot(vector, query))
