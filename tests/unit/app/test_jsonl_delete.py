"""A JSONL document's line dropped from its file (issue case 10): every other byte kept,
duplicates of the id dropped too (the loader would bring one back), no temporary left."""

import codecs
from pathlib import Path

from rag.app.services.corpus import drop_jsonl_lines
from rag.ingest.load import load_corpus


def test_only_the_documents_lines_go(tmp_path: Path) -> None:
    lines = [codecs.BOM_UTF8 + b'{"id": "a", "text": "Gao \xc3\xa9t\xc3\xa9 2024."}\r\n',
             b'{"id": "b", "text": "Kidal road."}\n', b"\n", b"{broken\n",
             b'{"id": "b", "text": "A duplicate of b."}\n', b'{"id": "c",  "text": "Mopti."}']
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b"".join(lines))
    assert drop_jsonl_lines(feed, "b") == 3
    assert feed.read_bytes() == b"".join(lines[i] for i in (0, 2, 3, 5))
    assert [p.name for p in tmp_path.iterdir()] == ["feed.jsonl"]
    assert [d.doc_id for d in load_corpus(feed).documents] == ["a", "c"]
    assert drop_jsonl_lines(feed, "nope") == 3 and feed.read_bytes() == b"".join(lines[i] for i in (0, 2, 3, 5))


def test_the_last_document_leaves_nothing(tmp_path: Path) -> None:
    feed = tmp_path / "one.jsonl"
    feed.write_bytes(b'{"id": "a", "text": "Gao."}\n\n')
    assert drop_jsonl_lines(feed, "a") == 0
