"""The chat UI under the mishaps of issue 8, in a real browser: a document replaced by
upload while the chat runs (case 1), a Chroma server that goes down and comes back
(case 5), and uploads that replace a file or meet an old broken one."""

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.pages import (NEEDS_CHROMIUM, SHOTS, ask, browser_page,
                                 last_answer, open_tab, upload)
from tests.servers import ChromaServer, running_app, temp_settings

pytestmark = NEEDS_CHROMIUM

OLD = "Harbour news\nThe harbour of Zorblat reopened on Monday after the long storm.\n"
NEW = "Harbour news\nThe harbour of Zorblat closed on Friday because of a dockers' strike.\n"
QUESTION = "What happened to the harbour of Zorblat?"


def test_replaced_upload_is_answered_and_said(tmp_path: Path) -> None:
    settings = temp_settings(tmp_path)
    (settings.corpus_dir / "broken.txt").write_bytes(b"\x00\x01 an old broken file")
    with running_app(settings) as (url, _), browser_page(url) as page:
        open_tab(page, "Corpus")
        upload(page, tmp_path, "x.txt", OLD)
        status = page.locator("#corpus-status")
        expect(status).to_contain_text("Saved to the corpus folder: x.txt")
        expect(status).not_to_contain_text("replaced")
        expect(status).not_to_contain_text("broken.txt")  # not this upload's error
        open_tab(page, "Ask")
        ask(page, QUESTION)
        expect(last_answer(page)).to_contain_text("reopened on Monday")

        open_tab(page, "Corpus")
        (tmp_path / "again").mkdir()
        page.locator("#replace input").check()  # replacing is asked for (issue 21, case 1)
        upload(page, tmp_path / "again", "x.txt", NEW)
        expect(status).to_contain_text("Replaced x.txt")
        expect(status).to_contain_text("1 updated")
        open_tab(page, "Ask")
        ask(page, QUESTION)
        answer = last_answer(page)
        expect(answer).to_contain_text("closed on Friday")
        expect(answer).not_to_contain_text("Error")
        page.screenshot(path=SHOTS / "ui-hardening-1-replaced.png")

        open_tab(page, "Corpus")
        upload(page, tmp_path, "bad.jsonl", '{"id": "a", "text": "Fine line about Gao."}\n{broken\n')
        expect(status).to_contain_text("bad.jsonl:2")
        expect(status).not_to_contain_text("broken.txt")


def test_chroma_server_down_is_said_in_the_chat(tmp_path: Path, capfd) -> None:
    server = ChromaServer(tmp_path / "server")
    server.start()
    settings = temp_settings(tmp_path, chroma_url=server.url)
    try:
        with running_app(settings) as (url, _), browser_page(url) as page:
            ask(page, "When did Wagner deploy to Mali?")
            expect(last_answer(page)).to_contain_text("December 2021")

            server.stop()
            page.fill("#question textarea", "Who was sanctioned by the US Treasury?")
            page.press("#question textarea", "Enter")
            problem = last_answer(page).locator(".rag-error")
            expect(problem).to_contain_text(f"Cannot reach the Chroma server at {server.url}")
            expect(page.locator("#question textarea")).to_have_value(
                "Who was sanctioned by the US Treasury?")  # kept, to send again
            expect(page.locator("#chat")).not_to_contain_text("Error")
            page.screenshot(path=SHOTS / "ui-hardening-2-server-down.png")

            server.start()
            before = page.locator("#chat .rag-done").count()
            page.press("#question textarea", "Enter")
            page.wait_for_function("n => document.querySelectorAll('#chat .rag-done').length > n",
                                   arg=before)
            expect(last_answer(page)).to_contain_text("Sadio Camara")
    finally:
        server.stop()
    assert "Traceback" not in capfd.readouterr().err
