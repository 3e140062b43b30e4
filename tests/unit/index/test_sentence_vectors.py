"""Sentence vectors stored at ingest: answering embeds no sentence, answers are the same
as embedding at query time, and the stored rows follow updates and deletions."""

import shutil
from pathlib import Path

import numpy as np

from rag.pipeline import Pipeline
from rag.index.sentence_vectors import SentenceVectors, sentences_of
from rag.settings import Settings

QUESTIONS = ["When did Wagner Group deploy to Mali?", "Which operation were the French soldiers part of?",
             "What happened in Timbuktu?"]


class Counting:
    """Wraps an embedder and counts the texts it embeds (not the queries)."""

    def __init__(self, embedder) -> None:
        self.inner, self.texts = embedder, 0
        self.original = embedder.get_text_embedding_batch

    def __enter__(self) -> "Counting":
        def counted(texts, **kwargs):
            self.texts += len(texts)
            return self.original(texts, **kwargs)
        object.__setattr__(self.inner, "get_text_embedding_batch", counted)
        return self

    def __exit__(self, *exc) -> None:
        object.__setattr__(self.inner, "get_text_embedding_batch", self.original)


def stored_docs(settings: Settings) -> set[str]:
    import sqlite3

    with sqlite3.connect(SentenceVectors(settings).path) as db:
        return {row[0] for row in db.execute("SELECT DISTINCT doc_id FROM sentences")}


def test_answers_use_stored_vectors_and_match_query_time_ones(settings, fake_embedder, seed_corpus) -> None:
    p = Pipeline(settings, embed_model=fake_embedder)
    p.ingest(seed_corpus)
    passages = p.search(QUESTIONS[0])
    texts = sentences_of([r.node for r in passages])
    stored = SentenceVectors(settings).get(texts)
    assert set(stored) == set(texts)
    for text in texts:
        assert np.allclose(stored[text], fake_embedder.get_text_embedding(text), atol=1e-6)

    with Counting(fake_embedder) as counting:
        with_store = [p.ask(q).answer for q in QUESTIONS]
    assert counting.texts == 0  # no sentence embedded at query time

    # Without the stored vectors (an index from before them) the answerer embeds them
    # itself, and answers exactly the same.
    shutil.rmtree(Path(settings.index_dir) / "sentences")
    fresh = Pipeline(settings, embed_model=fake_embedder)
    with Counting(fake_embedder) as counting:
        assert [fresh.ask(q).answer for q in QUESTIONS] == with_store
    assert counting.texts > 0


def test_stored_vectors_follow_updates_and_deletions(settings, fake_embedder, seed_corpus) -> None:
    p = Pipeline(settings, embed_model=fake_embedder)
    p.ingest(seed_corpus)
    assert stored_docs(settings) == {f.name for f in seed_corpus.iterdir()}

    changed = seed_corpus / "002_9009ab8afc2139b9.txt"
    changed.write_text(changed.read_text() + "\nA brand new closing sentence about Timbuktu.")
    (seed_corpus / "000_ce31d8d4dec75cd6.txt").unlink()
    with Counting(fake_embedder) as counting:
        p.ingest(seed_corpus)
    assert "000_ce31d8d4dec75cd6.txt" not in stored_docs(settings)
    assert "A brand new closing sentence about Timbuktu." in SentenceVectors(settings).get(
        ["A brand new closing sentence about Timbuktu."])
    # Sentences the changed document already had were not embedded again.
    chunks = len(p.store.collection.get(where={"doc_id": "002_9009ab8afc2139b9.txt"})["ids"])
    assert counting.texts == chunks + 1

    p.delete("003_1c59dd173ef6f39b.txt")
    assert stored_docs(settings) == {"001_b907f60da323e9d4.txt", "002_9009ab8afc2139b9.txt",
                                     "004_28e9b224ddc481e1.txt"}


def test_a_sentence_shared_by_two_documents_outlives_one_of_them(settings, fake_embedder, tmp_path) -> None:
    corpus = tmp_path / "shared"
    corpus.mkdir()
    shared = "The bridge over the river was reopened on Monday after repairs."
    (corpus / "a.txt").write_text(f"# A\n\n{shared} Traffic was light.")
    (corpus / "b.txt").write_text(f"# B\n\n{shared} Buses returned at noon.")
    p = Pipeline(settings, embed_model=fake_embedder)
    p.ingest(corpus)
    p.delete("a.txt")
    assert shared in SentenceVectors(settings).get([shared])
