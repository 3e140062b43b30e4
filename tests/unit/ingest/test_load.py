import json
from pathlib import Path

import pytest

from rag.ingest.load import content_hash, load_corpus
from tests.samples import SEED_CORPUS


def test_seed_documents_ids_and_titles() -> None:
    corpus = load_corpus(SEED_CORPUS)
    ids = [d.id_ for d in corpus.documents]
    assert ids == sorted(p.name for p in SEED_CORPUS.glob("*.txt"))
    titles = {d.id_: d.metadata["title"] for d in corpus.documents}
    assert titles["003_1c59dd173ef6f39b.txt"].startswith("Russian-backed paramilitary group")
    assert titles["001_b907f60da323e9d4.txt"].startswith("Wagner Mercenary Group Withdraws from Mali")
    assert not corpus.errors


def test_nested_ids_are_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "story.md").write_text("# Headline\n\nBody text here.")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK")
    (tmp_path / ".hidden.txt").write_text("secret")
    corpus = load_corpus(tmp_path)
    assert [d.id_ for d in corpus.documents] == ["a/b/story.md"]
    errors = {e.where: e.reason for e in corpus.errors}
    assert errors["notes.pdf"].startswith("not a readable PDF")
    assert errors["sheet.xlsx"].startswith("unsupported file type .xlsx")
    assert corpus.documents[0].metadata["title"] == "Headline"


def test_jsonl_documents_metadata_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "x1", "title": "One", "text": "First text.", "url": "http://e/1",
                    "published_at": "2024-01-02", "tags": ["a", "b"]}),
        "{not json",
        json.dumps({"title": "no id", "text": "t"}),
        json.dumps({"id": "x2", "text": ""}),
        "",
        json.dumps({"id": "x3", "text": "Third text without title."}),
        json.dumps({"id": "x1", "text": "Duplicate id."}),
    ]
    (tmp_path / "c.jsonl").write_text("\n".join(lines))
    corpus = load_corpus(tmp_path / "c.jsonl")
    assert [d.id_ for d in corpus.documents] == ["x1", "x3"]
    first = corpus.documents[0].metadata
    assert first["url"] == "http://e/1" and first["published_at"] == "2024-01-02"
    assert first["tags"] == '["a", "b"]'  # Chroma metadata holds scalars only
    assert corpus.documents[1].metadata["title"] == "Third text without title."
    reasons = [str(e) for e in corpus.errors]
    assert reasons[0].startswith("c.jsonl:2: invalid JSON")
    assert reasons[1].startswith("c.jsonl:3: missing")
    assert reasons[2].startswith("c.jsonl:4:")
    assert "duplicate document id 'x1'" in reasons[3]


def test_broken_files_are_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Good title\nGood body.")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "empty.md").write_text("  \n")
    (tmp_path / "ads.txt").write_text("ADVERTISEMENT\n")
    corpus = load_corpus(tmp_path)
    assert [d.id_ for d in corpus.documents] == ["good.txt"]
    errors = {e.where: e.reason for e in corpus.errors}
    assert errors["binary.txt"] == "binary file, not text"
    assert errors["latin1.txt"].startswith("not UTF-8")
    assert errors["empty.md"] == "empty file"
    assert "boilerplate" in errors["ads.txt"]
    assert corpus.failed_sources == {"binary.txt", "latin1.txt", "empty.md", "ads.txt"}


def test_single_file_and_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_corpus(tmp_path / "missing")
    (tmp_path / "x.xlsx").write_text("x")
    with pytest.raises(ValueError, match="unsupported file type .xlsx"):
        load_corpus(tmp_path / "x.xlsx")


def test_content_hash_follows_text_and_metadata() -> None:
    docs = load_corpus(SEED_CORPUS).documents
    a, b = docs[0], docs[0].model_copy()
    assert content_hash(a) == content_hash(b)
    b.metadata = {**b.metadata, "title": "changed"}
    assert content_hash(a) != content_hash(b)
