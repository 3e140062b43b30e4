"""The pipeline a user builds first with llama-index, for side-by-side comparison:
VectorStoreIndex with its default SentenceSplitter, dense retrieval only, the same
embedder and top-k, and the top chunk as the answer (it never abstains)."""

import time
from pathlib import Path

from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding

from rag.answer import Answer, Citation
from rag.ingest.load import load_corpus


class BaselinePipeline:
    def __init__(self, corpus: Path, embed_model: BaseEmbedding, top_k: int) -> None:
        # Our loader only for the document ids the eval cases name; the rest is stock.
        documents = load_corpus(corpus).documents
        self.index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
        self.retriever = self.index.as_retriever(similarity_top_k=top_k)

    def ask(self, question: str, history: list[str] | None = None, k: int | None = None,
            filters: object = None) -> Answer:
        """`k` and `filters` (an as-of date) are ignored: the stock pipeline has its own top k
        and knows no dates."""
        started = time.perf_counter()
        hits = self.retriever.retrieve(question)
        retrieved = [hit.node.ref_doc_id or "" for hit in hits]
        if not hits:
            return Answer(question=question, answer="", abstained=False, retrieved=retrieved)
        top = hits[0].node
        citation = Citation(n=1, doc_id=top.ref_doc_id or "", title=top.metadata.get("title", ""),
                            text=top.get_content(), start=top.start_char_idx or 0,
                            end=top.end_char_idx or 0)
        return Answer(question=question, answer=f"{top.get_content()} [1]", abstained=False,
                      citations=[citation], searched_for=question, retrieved=retrieved,
                      latency_ms=round((time.perf_counter() - started) * 1000, 1))
