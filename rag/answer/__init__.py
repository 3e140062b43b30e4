"""Answering: one interface (`Answerer`), several backends."""

from rag.answer.base import Answer, Answerer, Citation

__all__ = ["Answer", "Answerer", "Citation"]
