"""Ingest with the fake embedder into a real (temporary) Chroma index."""

from pathlib import Path

from rag.pipeline import Pipeline
from rag.settings import Settings


def pipeline(settings: Settings, embedder) -> Pipeline:
    return Pipeline(settings, embed_model=embedder)


def test_ingest_is_incremental(settings: Settings, fake_embedder, seed_corpus: Path) -> None:
    p = pipeline(settings, fake_embedder)
    first = p.ingest(seed_corpus)
    assert len(first.added) == 5 and first.chunks_embedded == first.total_chunks > 5

    again = p.ingest(seed_corpus)
    assert again.chunks_embedded == 0 and again.unchanged == 5 and not again.changed

    changed = seed_corpus / "002_9009ab8afc2139b9.txt"
    changed.write_text(changed.read_text() + "\nA brand new closing sentence about Timbuktu.")
    (seed_corpus / "000_ce31d8d4dec75cd6.txt").unlink()
    (seed_corpus / "new.md").write_text("# Fresh story\n\nSomething happened in Gao.")
    third = p.ingest(seed_corpus)
    assert third.updated == ["002_9009ab8afc2139b9.txt"]
    assert third.removed == ["000_ce31d8d4dec75cd6.txt"]
    assert third.added == ["new.md"]
    docs = {d.doc_id: d for d in p.documents()}
    assert set(docs) == {"001_b907f60da323e9d4.txt", "002_9009ab8afc2139b9.txt",
                         "003_1c59dd173ef6f39b.txt", "004_28e9b224ddc481e1.txt", "new.md"}
    assert all(d.complete for d in docs.values())
    ids, texts, _ = p.store.chunks()
    assert len(ids) == len(set(ids)) == sum(d.chunks for d in docs.values())
    assert any("Timbuktu" in t for t in texts)
    # BM25 follows: the new words are searchable, the removed document is not.
    assert p.search("Timbuktu", k=1)[0].node.metadata["doc_id"] == "002_9009ab8afc2139b9.txt"
    assert all(r.node.metadata["doc_id"] != "000_ce31d8d4dec75cd6.txt"
               for r in p.search("Operation Barkhane August 15th", k=10))


def test_broken_file_is_skipped_and_keeps_its_old_version(settings, fake_embedder, seed_corpus) -> None:
    p = pipeline(settings, fake_embedder)
    p.ingest(seed_corpus)
    (seed_corpus / "003_1c59dd173ef6f39b.txt").write_bytes(b"\xff\xfe broken \x00")
    (seed_corpus / "extra.txt").write_text("Extra title\nExtra body.")
    report = p.ingest(seed_corpus)
    assert [str(e) for e in report.errors] == ["003_1c59dd173ef6f39b.txt: binary file, not text"]
    assert report.added == ["extra.txt"] and not report.removed
    assert "003_1c59dd173ef6f39b.txt" in {d.doc_id for d in p.documents()}


def test_incomplete_document_is_repaired(settings, fake_embedder, seed_corpus) -> None:
    p = pipeline(settings, fake_embedder)
    p.ingest(seed_corpus)
    # Simulate a run killed mid-write: one chunk of a document missing.
    ids, _, metas = p.store.chunks()
    victim = next(i for i, m in zip(ids, metas) if m["doc_id"] == "001_b907f60da323e9d4.txt")
    p.store.collection.delete(ids=[victim])
    assert not {d.doc_id: d for d in p.documents()}["001_b907f60da323e9d4.txt"].complete
    report = p.ingest(seed_corpus)
    assert report.updated == ["001_b907f60da323e9d4.txt"]
    assert all(d.complete for d in p.documents())


def test_index_folders_are_independent(tmp_path, fake_embedder, seed_corpus) -> None:
    a = pipeline(Settings(index_dir=tmp_path / "a", _env_file=None), fake_embedder)
    b = pipeline(Settings(index_dir=tmp_path / "b", _env_file=None), fake_embedder)
    a.ingest(seed_corpus)
    assert len(a.documents()) == 5 and b.documents() == []
    assert b.search("Wagner") == []
    assert b.ask("Who leads Wagner?").abstained


def test_one_writer_per_index_folder(settings, fake_embedder, seed_corpus) -> None:
    import subprocess
    import sys

    owner = pipeline(settings, fake_embedder)
    with owner.writer:  # as the chat UI holds it while it runs
        owner.ingest(seed_corpus)  # re-entrant for its holder
        other = subprocess.run(
            [sys.executable, "-m", "rag.app.cli", "ingest", str(seed_corpus), "--index", str(settings.index_dir)],
            capture_output=True, text=True, timeout=300)
        assert other.returncode == 2
        assert "being written by another process" in other.stderr
    second = pipeline(settings, fake_embedder)
    assert not second.ingest(seed_corpus).changed  # free again once released


def test_ingest_of_named_files_leaves_the_rest_alone(settings, fake_embedder, seed_corpus) -> None:
    p = pipeline(settings, fake_embedder)
    p.ingest(seed_corpus)
    (seed_corpus / "news.jsonl").write_text(
        '{"id": "n1", "text": "The Zorbian lighthouse was painted teal in 1987."}\n'
        '{"id": "n2", "text": "The Vexhall ferry resumed its crossings in May."}\n')
    # A file the upload does not name is not read, even if it changed.
    (seed_corpus / "004_28e9b224ddc481e1.txt").write_text("Rewritten, but not uploaded.")
    report = p.ingest(seed_corpus, only=["news.jsonl"])
    assert sorted(report.added) == ["n1", "n2"] and not report.removed and not report.updated
    assert p.search("Zorbian lighthouse teal", k=1)[0].node.metadata["doc_id"] == "n1"

    (seed_corpus / "news.jsonl").write_text(
        '{"id": "n1", "text": "The Zorbian lighthouse was painted teal in 1987."}\n')
    report = p.ingest(seed_corpus, only=["news.jsonl"])
    assert report.removed == ["n2"] and report.unchanged == 1 and not report.added
    assert all(r.node.metadata["doc_id"] != "n2" for r in p.search("Vexhall ferry crossings", k=10))

    # An uploaded file reusing an id another file has is skipped, as a folder ingest skips it.
    (seed_corpus / "other.jsonl").write_text('{"id": "n1", "text": "Another text under the same id."}\n')
    report = p.ingest(seed_corpus, only=["other.jsonl"])
    assert not report.changed
    assert [str(e) for e in report.errors] == ["other.jsonl: duplicate document id 'n1' (first in news.jsonl)"]
    docs = {d.doc_id: d for d in p.documents()}
    assert docs["n1"].source_path == "news.jsonl" and "004_28e9b224ddc481e1.txt" in docs
