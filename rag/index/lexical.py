"""BM25 over the indexed chunks (bm25s tokens, rag/index/postings.py scores), persisted beside
the vector index.

Built from the Chroma collection itself after an ingest or delete changes it, and
loaded once per process: never rebuilt per query. A stamp of the chunk ids it was
built from tells whether it still matches the collection; the collection's generation
(`Store.generation`) tells cheaply when to check that stamp again.
"""

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from rag.index.postings import Postings
from rag.settings import Settings
from rag.index.store import Store
from rag.text.terms import TOKENIZER, terms, tokens


def searchable_text(title: str, text: str) -> str:
    """What is embedded and BM25-indexed for a chunk: the title carries the article's
    topic, which a chunk's own words often leave out."""
    return f"{title}\n{text}"

def stamp(ids: list[str]) -> str:
    payload = "\n".join([TOKENIZER, *sorted(ids)])
    return hashlib.sha256(payload.encode()).hexdigest()


class LexicalIndex:
    def __init__(self, postings: Postings, ids: list[str], built_from: str) -> None:
        self.postings, self.ids, self.built_from = postings, ids, built_from

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        return cls(Postings.build(tokens(texts) if texts else []), list(ids), stamp(ids))

    def updated(self, present: set[str], added: list[str], texts: list[str]) -> "LexicalIndex":
        """This index less the chunks no longer `present`, plus the `added` ones: seconds,
        where a rebuild of 100k chunks takes a minute."""
        keep = np.array([i in present for i in self.ids], dtype=bool)
        postings = self.postings if keep.all() else self.postings.kept(keep)  # an upload drops nothing
        postings = postings.extended(tokens(texts) if texts else [])
        ids = [i for i, k in zip(self.ids, keep) if k] + list(added)
        return LexicalIndex(postings, ids, stamp(ids))

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best `k` chunks sharing a term with the query,
        among the `allowed` chunk ids when given (a filter)."""
        if allowed is not None and not allowed:
            return []
        scores = self.postings.scores(terms(query))
        if not len(scores):
            return []
        if allowed is not None:
            scores *= np.fromiter((i in allowed for i in self.ids), dtype=np.float32, count=len(self.ids))
        top = np.argpartition(-scores, min(k, len(scores)) - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def idf(self, term: str) -> float:
        """Inverse document frequency over chunks; a term never seen counts as rare."""
        return self.postings.idf(self.postings.df(term))

    def save(self, folder: Path) -> None:
        """Replace the saved index whole, so a crash leaves the old one or the new one."""
        folder = Path(folder)
        staging = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        self.postings.save(staging)
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
            postings = Postings.load(folder)
            if postings.size != len(saved["ids"]):
                return None
            return cls(postings, saved["ids"], saved["stamp"])
        except Exception:  # truncated or damaged files of any kind: numpy raises many types
            return None


def lexical_dir(settings: Settings) -> Path:
    return Path(settings.index_dir) / "bm25" / settings.collection


def refresh_lexical(store: Store, settings: Settings, current: LexicalIndex | None = None) -> LexicalIndex:
    """The BM25 index for the collection as it is now: `current` (the one this process
    holds, else the saved one) if it still matches, else it brought up to date (only
    added chunks are read and tokenised), else one built from every chunk."""
    folder = lexical_dir(settings)
    # Reloading the saved one would cost as much as the update itself at 100k chunks.
    current = current or LexicalIndex.load(folder)
    ids = store.chunk_ids()
    if current is not None and current.built_from == stamp(ids):
        return current
    if current is None:
        ids, texts, metas = store.chunks()
        fresh = LexicalIndex.build(ids, [searchable_text(m.get("title", ""), t) for t, m in zip(texts, metas)])
    else:
        known = set(current.ids)
        added, texts = _searchable(store, [i for i in ids if i not in known])
        fresh = current.updated(set(ids), added, texts)
    fresh.save(folder)
    return fresh


def _searchable(store: Store, ids: list[str]) -> tuple[list[str], list[str]]:
    """Those of these chunks still there (another writer may have deleted some since),
    and what BM25 indexes of each."""
    texts = {i: searchable_text(meta.get("title", ""), text)
             for i, (text, meta) in store.texts(ids).items()}
    found = [i for i in ids if i in texts]
    return found, [texts[i] for i in found]
