"""Sentence vectors, computed once at ingest and stored by document beside the index.

The extractive answer scores every sentence of the retrieved passages by its cosine
to the question. Embedding those ~40 sentences per question at query time was most
of an answer's latency on a news-sized corpus (benchmarks/README.md), so ingest
embeds each chunk's sentences once and keeps them here: answering looks them up.

A row is keyed by the hash of the sentence text, so a stored vector is right for
any chunk that holds that sentence, and is filed under its document, so replacing or
deleting a document drops its rows. SQLite (WAL) in the index folder: the serving
process reads a few dozen rows by key, never loads the table.
"""

import hashlib
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import TextNode

from rag.text.sentences import sentence_spans
from rag.settings import Settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentences (
    key BLOB NOT NULL, doc_id TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (key, doc_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sentences_doc ON sentences (doc_id);
CREATE TABLE IF NOT EXISTS removals (doc_id TEXT PRIMARY KEY) WITHOUT ROWID;
"""
_IN_CHUNK = 500  # keys per query: under SQLite's limit on bound parameters


def sentences_of(nodes: Iterable[TextNode]) -> list[str]:
    """Every sentence of the chunks, once each, as the answerer cuts them."""
    found: dict[str, None] = {}
    for node in nodes:
        text = node.get_content()
        found.update((text[s:e], None) for s, e in sentence_spans(text))
    return list(found)


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()[:16]


class SentenceVectors:
    def __init__(self, settings: Settings) -> None:
        self.path = Path(settings.index_dir) / "sentences" / f"{settings.collection}.sqlite"

    def _connect(self) -> sqlite3.Connection:
        # One connection per call: the UI answers and ingests from different threads.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        return connection

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of those of `texts` that have one."""
        if not self.path.exists():
            return {}
        by_key = {_key(t): t for t in texts}
        keys, found = list(by_key), dict[str, np.ndarray]()
        with closing(self._connect()) as db:
            for start in range(0, len(keys), _IN_CHUNK):
                part = keys[start : start + _IN_CHUNK]
                rows = db.execute(f"SELECT key, vector FROM sentences WHERE key IN "
                                  f"({','.join('?' * len(part))})", part)
                found.update((by_key[k], np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def write(self, pieces: list[tuple[str, list[TextNode], bool]], embed_model: BaseEmbedding,
              reuse: bool = True) -> int:
        """File the sentences of each (doc id, chunks, first) under its document, embedding in
        one batch only those no document has yet (every one with `reuse=False`: a re-embed);
        a document's first piece replaces what was filed under it, later pieces of a large
        one add to it. Returns how many were embedded."""
        texts = [(doc_id, sentences_of(nodes), first) for doc_id, nodes, first in pieces]
        every = list(dict.fromkeys(t for _, group, _ in texts for t in group))
        known = self.get(every) if reuse else {}
        missing = [t for t in every if t not in known]
        if missing:
            known.update(zip(missing, np.asarray(embed_model.get_text_embedding_batch(missing),
                                                 dtype=np.float32)))
        with closing(self._connect()) as db, db:
            for doc_id, group, first in texts:
                if first:
                    db.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
                db.executemany("INSERT OR REPLACE INTO sentences VALUES (?, ?, ?)",
                               [(_key(t), doc_id, known[t].tobytes()) for t in group])
        return len(missing)

    def begin_removal(self, doc_id: str) -> None:
        """Journal that `doc_id` is being removed: until `finish_removal`, `pending_removals`
        names it, so a run killed between removing its chunks and its rows is finished later."""
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR IGNORE INTO removals VALUES (?)", (doc_id,))

    def finish_removal(self, doc_id: str) -> None:
        """The document's rows and its journal entry, gone together."""
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM sentences WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM removals WHERE doc_id = ?", (doc_id,))

    def pending_removals(self) -> list[str]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            return [row[0] for row in db.execute("SELECT doc_id FROM removals")]
