"""Bad or awkward input loses nothing and says what happened (issue 8: cases 2 and 3, the
weak spots on symlinks, large documents and duplicate JSONL ids). Real files, a real
Chroma index; the fake embedder where the embedding itself is not what is tried."""

import json

import pytest

from rag.ingest.clean import clean_text
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.fakes import FakeEmbedding

ARTICLE = ("The river port of Kessa handled a record tonnage of grain this season. "
           "Officials credited the new locks on the upper channel. ")


def lines(*records: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_a_bad_line_keeps_the_document_it_held(settings, fake_embedder, seed_corpus) -> None:
    wires = seed_corpus / "wires.jsonl"
    wires.write_text(lines({"id": "w1", "text": "Kessa port opened a grain terminal."},
                           {"id": "w2", "text": "Rains flooded the lower town of Kessa."}))
    p = Pipeline(settings, embed_model=fake_embedder)
    assert sorted(p.ingest(seed_corpus).added)[-2:] == ["w1", "w2"]

    wires.write_text(lines({"id": "w1", "text": "Kessa port opened a grain terminal."},
                           '{"id": "w2", "text": "Rains flooded the lower town'))  # cut short
    report = p.ingest(seed_corpus)
    assert report.removed == [] and [str(e) for e in report.errors] == [
        "wires.jsonl:2: invalid JSON (Unterminated string starting at)"]
    assert {"w1", "w2"} <= {d.doc_id for d in p.documents()}
    assert p.search("Rains flooded the lower town of Kessa", k=1)[0].node.metadata["doc_id"] == "w2"

    wires.write_text(lines({"id": "w1", "text": "Kessa port opened a grain terminal."}))
    assert p.ingest(seed_corpus).removed == ["w2"]  # a whole, good file is believed


def test_duplicate_ids_name_both_lines(settings, fake_embedder, seed_corpus) -> None:
    (seed_corpus / "wires.jsonl").write_text(lines(
        {"id": "w1", "text": "First story."}, {"id": "w2", "text": "Second story."},
        {"id": "w1", "text": "A different story under the same id."}))
    report = Pipeline(settings, embed_model=fake_embedder).ingest(seed_corpus)
    assert [str(e) for e in report.errors] == [
        "wires.jsonl:3: duplicate document id 'w1' (lines 1 and 3; the first is kept)"]


def test_related_heading_mid_text_keeps_the_rest() -> None:
    body = "\n".join(f"Paragraph {i}. {ARTICLE}" for i in range(40))
    text = f"Kessa grain\n{body[:2000]}\nRelated\n{body[2000:]}\nMore\nRead more:\n{ARTICLE}"
    cleaned = clean_text(text)
    assert "Paragraph 39." in cleaned and cleaned.endswith(ARTICLE.strip())
    assert "Related" in cleaned.splitlines()  # not a trailer: article text follows it


def test_trailing_list_of_stories_is_cut() -> None:
    text = (f"Kessa grain\n{ARTICLE}\nRecommended articles\nFloods hit the lower town again\n"
            "Why the grain price is falling\nPhoto: AFP\nKessa council votes on new budget")
    assert clean_text(text) == f"Kessa grain\n{ARTICLE.strip()}"


def test_large_document_is_written_and_reported_in_batches(tmp_path, seed_corpus) -> None:
    big = seed_corpus / "big.txt"
    big.write_text("Kessa annual report\n" + "\n".join(
        f"Section {i} records that barge {i} carried {i * 7} tonnes of grain past lock {i % 9}."
        for i in range(3000)))
    settings = Settings(index_dir=tmp_path / "index", ingest__warn_document_mb=0.1, _env_file=None)

    seen: list[tuple[int, int]] = []

    def stop_after_three(done: int, total: int) -> None:
        """Ctrl-C after the third batch, as a user stopping a long ingest."""
        seen.append((done, total))
        if len(seen) == 3:
            raise KeyboardInterrupt

    interrupted = Pipeline(settings, embed_model=FakeEmbedding())
    with pytest.raises(KeyboardInterrupt):
        interrupted.ingest(big, progress=stop_after_three)
    total = seen[0][1]
    assert total > 3 * 64 and [done for done, _ in seen] == [64, 128, 192]  # per batch, in one document
    kept = interrupted.documents()[0]
    assert kept.doc_id == "big.txt" and kept.chunks == 192 and not kept.complete

    resumed = Pipeline(settings, embed_model=FakeEmbedding())
    report = resumed.ingest(big)
    assert report.chunks_embedded == total - 192  # only what the interrupted run had not saved
    assert report.updated == ["big.txt"] and resumed.documents()[0].complete
    assert [str(w) for w in report.warnings] == [
        "big.txt: 0.2 MB of text, over the 0.1 MB warning size (RAG_INGEST__WARN_DOCUMENT_MB): "
        "it is embedded and saved in batches, which takes a while"]
    assert resumed.search("barge 2999 lock", k=1)[0].node.metadata["doc_id"] == "big.txt"
