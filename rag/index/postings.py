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
    """Per term (grouped, `indptr` marks where each term's block starts): the documents
    holding it and how often. Kept in that layout through every update, so taking or
    dropping documents copies the arrays once instead of re-sorting every posting (a
    sort of ~12M postings is seconds at 100k chunks)."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, doc: np.ndarray, tf: np.ndarray,
                 lengths: np.ndarray) -> None:
        self.vocab = vocab
        self.indptr = indptr.astype(np.int64)
        self.doc, self.tf = doc.astype(np.int32), tf.astype(np.float32)
        self.lengths = lengths.astype(np.float32)  # terms per document

    @classmethod
    def build(cls, documents: list[list[str]]) -> "Postings":
        empty = np.zeros(0, dtype=np.int32)
        return cls({}, np.zeros(1, dtype=np.int64), empty, empty, empty).extended(documents)

    @property
    def size(self) -> int:
        return len(self.lengths)

    def extended(self, documents: list[list[str]]) -> "Postings":
        """These postings plus `documents` (their terms) at the end: each new posting goes
        after its term's block (new documents have the highest numbers, so every block
        stays in document order)."""
        vocab = dict(self.vocab)
        none = np.zeros(0, dtype=np.int32)
        docs, terms, tfs = [none], [none], [none.astype(np.float32)]
        for offset, words in enumerate(documents, start=self.size):
            counts = Counter(vocab.setdefault(w, len(vocab)) for w in words)
            docs.append(np.full(len(counts), offset, dtype=np.int32))
            terms.append(np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)))
            tfs.append(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        term = np.concatenate(terms)
        order = np.argsort(term, kind="stable")  # only the new postings
        term, doc, tf = term[order], np.concatenate(docs)[order], np.concatenate(tfs)[order]
        grown = len(vocab) - len(self.vocab)
        indptr = np.concatenate([self.indptr, np.full(grown, self.indptr[-1], dtype=np.int64)])
        at = indptr[term + 1]  # the end of each new posting's term block
        added = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=len(vocab)), out=added[1:])
        lengths = np.concatenate([self.lengths, np.array([len(d) for d in documents], dtype=np.float32)])
        return Postings(vocab, indptr + added, np.insert(self.doc, at, doc), np.insert(self.tf, at, tf),
                        lengths)

    def kept(self, keep: np.ndarray) -> "Postings":
        """These postings with only the documents where `keep` (a boolean per document) holds."""
        renumber = np.cumsum(keep) - 1
        mask = keep[self.doc]
        before = np.zeros(len(mask) + 1, dtype=np.int64)  # postings kept before each position
        np.cumsum(mask, out=before[1:])
        return Postings(self.vocab, before[self.indptr], renumber[self.doc[mask]], self.tf[mask],
                        self.lengths[keep])

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
        np.savez(folder / "postings.npz", indptr=self.indptr, doc=self.doc, tf=self.tf,
                 lengths=self.lengths)
        (folder / "vocab.json").write_text(json.dumps(list(self.vocab)))

    @classmethod
    def load(cls, folder: Path) -> "Postings":
        words = json.loads((folder / "vocab.json").read_text())
        with np.load(folder / "postings.npz") as saved:
            postings = cls({w: i for i, w in enumerate(words)}, saved["indptr"], saved["doc"],
                           saved["tf"], saved["lengths"])
        if len(postings.indptr) != len(postings.vocab) + 1 or postings.indptr[-1] != len(postings.doc):
            raise ValueError("postings and vocabulary disagree")
        return postings
