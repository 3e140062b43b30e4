"""Bad or awkward input loses nothing and says what happened (issue 8: cases 2 and 3, the
weak spots on symlinks, large documents and duplicate JSONL ids). Real files, a real
Chroma index; the fake embedder where the embedding itself is not what is tried."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.clean import clean_text
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.conftest import ROOT, FakeEmbedding

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
    settings = Settings(index_dir=tmp_path / "index", warn_document_mb=0.1, _env_file=None)

    class InterruptedAfter(FakeEmbedding):
        """Ctrl-C during the fourth batch, as a user stopping a long ingest."""
        batches: int = 0

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            self.batches += 1
            if self.batches == 4:
                raise KeyboardInterrupt
            return [self._vector(t) for t in texts]

    seen: list[tuple[int, int]] = []
    interrupted = Pipeline(settings, embed_model=InterruptedAfter(embed_batch_size=64))
    with pytest.raises(KeyboardInterrupt):
        interrupted.ingest(big, progress=lambda done, total: seen.append((done, total)))
    total = seen[0][1]
    assert total > 3 * 64 and [done for done, _ in seen] == [64, 128, 192]  # per batch, in one document
    kept = interrupted.documents()[0]
    assert kept.doc_id == "big.txt" and kept.chunks == 192 and not kept.complete

    resumed = Pipeline(settings, embed_model=FakeEmbedding())
    report = resumed.ingest(big)
    assert report.chunks_embedded == total - 192  # only what the interrupted run had not saved
    assert report.updated == ["big.txt"] and resumed.documents()[0].complete
    assert [str(w) for w in report.warnings] == [
        "big.txt: 0.2 MB of text, over the 0.1 MB warning size (RAG_WARN_DOCUMENT_MB): "
        "it is embedded and saved in batches, which takes a while"]
    assert resumed.search("barge 2999 lock", k=1)[0].node.metadata["doc_id"] == "big.txt"


@pytest.mark.integration
def test_cli_reports_links_outside_cleaning_and_keeps_going(tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret memo\nThe vault code is 1234.\n")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "kessa.txt").write_text(f"Kessa grain\n{ARTICLE}\nRelated stories\n" +
                                      "\n".join(f"Other headline number {i}" for i in range(30)))
    index = tmp_path / "index"
    done = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index", str(index)],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=600)
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    assert "skipped secret.txt: a link to a file outside the corpus folder" in done.stderr
    assert "warning: kessa.txt: cleaning removed" in done.stderr
    search = subprocess.run([sys.executable, "-m", "rag.cli", "search", "vault code", "--json",
                             "--index", str(index)], capture_output=True, text=True, cwd=ROOT,
                            timeout=600)
    assert all(row["doc_id"] != "secret.txt" for row in json.loads(search.stdout))
    again = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index", str(index)],
                           capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert "warning" not in again.stderr  # said once, when the document was written
