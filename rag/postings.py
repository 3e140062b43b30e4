"""BM25 scoring over postings that can take and drop documents without a rebuild.

bm25s stores scores precomputed with the corpus-wide IDF and average length baked
in, so adding one chunk to a 100k-chunk index means rebuilding all of it (about a
minute here). This keeps term frequencies instead (per term: the documents holding it
and how often) and applies IDF and length normalisation at query time, which costs
a few milliseconds: documents are appended and dropped in place. The scores are
bm25s's own defaults (Lucene variant, k1=1.5, b=0.75), so rankings do not change.
"""

import json
from collections import Counter
from pathlib import Path

import numpy as np

K1, B = 1.5, 0.75


class Postings:
    def __init__(self, vocab: dict[str, int], doc: np.ndarray, term: np.ndarray, tf: np.ndarray,
                 lengths: np.ndarray) -> None:
        self.vocab = vocab
        self.lengths = lengths.astype(np.float32)  # terms per document
        order = np.argsort(term, kind="stable")
        self.doc, self.tf = doc[order].astype(np.int32), tf[order].astype(np.float32)
        self.indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=len(vocab)), out=self.indptr[1:])

    @classmethod
    def build(cls, documents: list[list[str]]) -> "Postings":
        empty = np.zeros(0, dtype=np.int32)
        return cls({}, empty, empty, empty, empty).extended(documents)

    @property
    def size(self) -> int:
        return len(self.lengths)

    def _columns(self) -> np.ndarray:
        """Each posting's term id (postings are grouped by term)."""
        return np.repeat(np.arange(len(self.vocab), dtype=np.int32), np.diff(self.indptr))

    def extended(self, documents: list[list[str]]) -> "Postings":
        """These postings plus `documents` (their terms) at the end."""
        vocab = dict(self.vocab)
        docs, terms, tfs = [self.doc], [self._columns()], [self.tf]
        for offset, words in enumerate(documents, start=self.size):
            counts = Counter(vocab.setdefault(w, len(vocab)) for w in words)
            docs.append(np.full(len(counts), offset, dtype=np.int32))
            terms.append(np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)))
            tfs.append(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        lengths = np.concatenate([self.lengths, np.array([len(d) for d in documents], dtype=np.float32)])
        return Postings(vocab, np.concatenate(docs), np.concatenate(terms), np.concatenate(tfs), lengths)

    def kept(self, keep: np.ndarray) -> "Postings":
        """These postings with only the documents where `keep` (a boolean per document) holds."""
        renumber = np.cumsum(keep) - 1
        mask = keep[self.doc]
        return Postings(self.vocab, renumber[self.doc[mask]].astype(np.int32), self._columns()[mask],
                        self.tf[mask], self.lengths[keep])

    def df(self, term: str) -> int:
        column = self.vocab.get(term)
        return 0 if column is None else int(self.indptr[column + 1] - self.indptr[column])

    def idf(self, df: int) -> float:
        return float(np.log(1 + (self.size - df + 0.5) / (df + 0.5)))

    def scores(self, query: list[str]) -> np.ndarray:
        """The BM25 score of every document for the query's terms (repeats count again)."""
        total = np.zeros(self.size, dtype=np.float32)
        if not self.size:
            return total
        norm = K1 * ((1 - B) + B * self.lengths / self.lengths.mean())
        for word in query:
            column = self.vocab.get(word)
            if column is None:
                continue
            lo, hi = self.indptr[column], self.indptr[column + 1]
            docs, tf = self.doc[lo:hi], self.tf[lo:hi]
            total[docs] += np.float32(self.idf(hi - lo)) * tf / (norm[docs] + tf)
        return total

    def save(self, folder: Path) -> None:
        np.savez(folder / "postings.npz", doc=self.doc, term=self._columns(), tf=self.tf,
                 lengths=self.lengths)
        (folder / "vocab.json").write_text(json.dumps(list(self.vocab)))

    @classmethod
    def load(cls, folder: Path) -> "Postings":
        words = json.loads((folder / "vocab.json").read_text())
        with np.load(folder / "postings.npz") as saved:
            return cls({w: i for i, w in enumerate(words)}, saved["doc"], saved["term"], saved["tf"],
                       saved["lengths"])
