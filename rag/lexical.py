"""BM25 over the indexed chunks (bm25s), persisted beside the vector index.

Built from the Chroma collection itself after an ingest or delete changes it, and
loaded once per process: never rebuilt per query. A stamp of the chunk ids it was
built from tells whether it still matches the collection; the collection's generation
(`Store.generation`) tells cheaply when to check that stamp again.
"""

import hashlib
import json
import math
import shutil
from pathlib import Path

import bm25s
import Stemmer

from rag.chunk import searchable_text
from rag.settings import Settings
from rag.store import Store

_STEMMER = Stemmer.Stemmer("english")
# bm25s's short English stopword list beat NLTK's longer one on answer pass rate in
# benchmarks/tune.py (the longer list helped ranking a little, answering less).
_STOPWORDS = "en"
# Part of the stamp, so a saved index built with other tokenisation gets rebuilt.
_TOKENIZER = f"bm25s stopwords={_STOPWORDS} stemmer=snowball-english"


def stamp(ids: list[str]) -> str:
    payload = "\n".join([_TOKENIZER, *sorted(ids)])
    return hashlib.sha256(payload.encode()).hexdigest()


def terms(text: str) -> list[str]:
    """Stemmed, stopword-free terms, as BM25 sees them."""
    return _tokens([text])[0]


def _tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords=_STOPWORDS, stemmer=_STEMMER, return_ids=False,
                          show_progress=False)


class LexicalIndex:
    def __init__(self, model: bm25s.BM25 | None, ids: list[str], built_from: str) -> None:
        self.model, self.ids, self.built_from = model, ids, built_from

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        if not ids:
            return cls(None, [], stamp([]))
        model = bm25s.BM25()
        model.index(bm25s.tokenize(texts, stopwords=_STOPWORDS, stemmer=_STEMMER, show_progress=False),
                    show_progress=False)
        return cls(model, ids, stamp(ids))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best `k` chunks sharing a term with the query."""
        if self.model is None:
            return []
        results, scores = self.model.retrieve(_tokens([query]), k=min(k, len(self.ids)),
                                              show_progress=False)
        return [(self.ids[i], float(s)) for i, s in zip(results[0], scores[0]) if s > 0]

    def idf(self, term: str) -> float:
        """Inverse document frequency over chunks; a term never seen counts as rare."""
        n = len(self.ids)
        column = self.model.vocab_dict.get(term) if self.model is not None else None
        indptr = self.model.scores["indptr"] if self.model is not None else None
        df = 0 if column is None else int(indptr[column + 1] - indptr[column])
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def save(self, folder: Path) -> None:
        """Replace the saved index whole, so a crash leaves the old one or the new one."""
        folder = Path(folder)
        staging = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(staging), show_progress=False)
        (staging / "ids.json").write_text(json.dumps({"stamp": self.built_from, "ids": self.ids}))
        retired = folder.with_name(folder.name + ".old")
        shutil.rmtree(retired, ignore_errors=True)
        if folder.exists():
            folder.rename(retired)
        staging.rename(folder)
        shutil.rmtree(retired, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex | None":
        """The saved index, or None if there is none or it cannot be read (then it is rebuilt)."""
        folder = Path(folder)
        try:
            saved = json.loads((folder / "ids.json").read_text())
            model = bm25s.BM25.load(str(folder), show_progress=False) if saved["ids"] else None
            return cls(model, saved["ids"], saved["stamp"])
        except Exception:  # truncated or damaged files of any kind: bm25s raises many types
            return None


def lexical_dir(settings: Settings) -> Path:
    return Path(settings.index_dir) / "bm25" / settings.collection


def refresh_lexical(store: Store, settings: Settings) -> LexicalIndex:
    """The BM25 index for the collection as it is now, rebuilt only if it no longer matches."""
    folder = lexical_dir(settings)
    current = LexicalIndex.load(folder)
    if current is not None and current.built_from == stamp(store.chunk_ids()):
        return current
    ids, texts, metas = store.chunks()
    rebuilt = LexicalIndex.build(ids, [searchable_text(m.get("title", ""), t) for t, m in zip(texts, metas)])
    rebuilt.save(folder)
    return rebuilt
