"""Uploads as a careless or hostile user makes them, in a real browser (issue 21): a file
named like one the corpus has (case 1), the upload cache (case 4), file names that are
odd but harmless (case 12)."""

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.pages import NEEDS_CHROMIUM, SHOTS, browser_page, open_tab, upload
from tests.servers import running_app, temp_settings

pytestmark = NEEDS_CHROMIUM

THREE = "".join(f'{{"id": "n{i}", "title": "Note {i}", "text": "Harbour note {i}: the quay of '
                f'Zorblat {w}."}}\n' for i, w in enumerate(["flooded", "dried", "reopened"]))
ONE = '{"id": "n9", "title": "Note 9", "text": "Harbour note 9: the quay of Zorblat closed."}\n'


def _cached_copies(folder: Path, name: str) -> list[Path]:
    return [p for p in folder.rglob(name) if p.is_file()]


@pytest.fixture
def gradio_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "gradio-cache"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    return folder


def test_same_name_upload_keeps_both_and_a_replaced_file_stays_recoverable(
        tmp_path: Path, gradio_cache: Path) -> None:
    settings = temp_settings(tmp_path)
    corpus = settings.corpus_dir
    with running_app(settings) as (url, pipeline), browser_page(url) as page:
        open_tab(page, "Corpus")
        status = page.locator("#corpus-status")
        upload(page, tmp_path, "notes.jsonl", THREE)
        expect(status).to_contain_text("3 added")
        (tmp_path / "later").mkdir()
        upload(page, tmp_path / "later", "notes.jsonl", ONE)
        expect(status).to_contain_text("both are kept")
        expect(status).to_contain_text("notes (2).jsonl")
        assert (corpus / "notes.jsonl").read_text() == THREE  # nothing destroyed
        ids = {d.doc_id for d in pipeline.documents()}
        assert {"n0", "n1", "n2", "n9"} <= ids

        page.locator("#replace input").check()  # now replacing is what the user asks
        (tmp_path / "last").mkdir()
        upload(page, tmp_path / "last", "notes.jsonl", ONE.replace("n9", "n8"))
        expect(status).to_contain_text("Replaced notes.jsonl; the old file is kept as .replaced/")
        expect(status).to_contain_text("3 removed")
        kept = list((corpus / ".replaced").rglob("notes.jsonl"))
        assert [p.read_text() for p in kept] == [THREE]  # recoverable
        ids = {d.doc_id for d in pipeline.documents()}
        assert {"n8", "n9"} <= ids and not {"n0", "n1", "n2"} & ids
        page.screenshot(path=SHOTS / "hostile-1-same-name.png")

        # Ingest never reads the kept copies back in.
        report = pipeline.ingest()
        assert not report.added and not report.errors

        # Case 4: no upload stays in Gradio's cache, accepted or refused.
        upload(page, tmp_path, "refused.txt", "\x00\x01binary")
        expect(status).to_contain_text("refused.txt")
        for name in ("notes.jsonl", "refused.txt"):
            assert _cached_copies(gradio_cache, name) == []


def test_uploaded_copy_is_not_downloadable_once_handled(tmp_path: Path, gradio_cache: Path) -> None:
    settings = temp_settings(tmp_path)
    with running_app(settings) as (url, _), browser_page(url) as page:
        open_tab(page, "Corpus")
        uploaded: list[str] = []
        page.on("response", lambda r: uploaded.extend(r.json()) if "/gradio_api/upload" in r.url
                and r.request.method == "POST" and r.ok else None)
        upload(page, tmp_path, "secret.txt", "Secret memo\nThe vault code of Zorblat is 1234.\n")
        expect(page.locator("#corpus-status")).to_contain_text("Saved to the corpus folder: secret.txt")
        assert uploaded, "the browser uploaded the file through Gradio"
        for path in uploaded:
            assert not Path(path).exists()
            assert httpx.get(f"{url.rstrip('/')}/gradio_api/file={path}").status_code in (403, 404)
        assert _cached_copies(gradio_cache, "secret.txt") == []
        assert (settings.corpus_dir / "secret.txt").exists()  # the one copy, in the corpus


def test_harmless_odd_names_are_accepted(tmp_path: Path) -> None:
    from rag.app.ui import corpus_name

    assert corpus_name("a..b.txt") == "a..b.txt"
