"""From the chat to the evals, in a real browser (Debian's chromium) against `rag serve`
run as its own process: 👍/👎 and the 👎 box become eval cases that `rag eval` runs;
"Copy as Markdown" and "Download" give the answer with its references; the conversation
survives a reload and a server restart, past ones can be reopened and deleted, another
browser sees none of them, and a cited document replaced or deleted since is shown as such.

The tests share one page and one server and run in file order, like one visitor's session.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, SHOTS
from tests.samples import ROOT, SEED_CORPUS
from tests.servers import free_port

pytestmark = NEEDS_CHROMIUM

ZORBIA = "Zorbian coastal heritage\nThe Zorbian lighthouse was painted teal in 1987.\n"
ZORBIA_NOW = "Zorbian coastal heritage\nThe Zorbian lighthouse was repainted red in 2024.\n"
WAGNER = "When did Wagner deploy to Mali?"
LIGHTHOUSE = "What colour was the Zorbian lighthouse painted?"
BREAD = "How do I bake sourdough bread?"


class Served:
    """`rag serve` over a copy of the seed corpus, in its own process, on a fixed port
    (localStorage belongs to the origin, so the restarted server must keep it)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.corpus, self.index = folder, folder / "corpus", folder / "index"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "RAG_CORPUS_DIR": str(self.corpus),
                    "RAG_INDEX_DIR": str(self.index), "RAG_UI__PORT": str(self.port),
                    "RAG_UI__HOST": "127.0.0.1", "GRADIO_ANALYTICS_ENABLED": "False",
                    "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
        for key in ("RAG_UI__AUTH", "RAG_CHROMA_URL", "RAG_ANSWER__BACKEND"):
            self.env.pop(key, None)
        self.process: subprocess.Popen | None = None

    def rag(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "rag.app.cli", *args], cwd=self.folder,
                              env=self.env, capture_output=True, text=True, timeout=300,
                              check=False)

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "rag.app.cli", "serve"],
                                        cwd=self.folder, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("rag serve did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = Served(tmp_path_factory.mktemp("ui-feedback"))
    import shutil

    shutil.copytree(SEED_CORPUS, served.corpus)
    (served.corpus / "zorbia.txt").write_text(ZORBIA)
    assert served.rag("ingest").returncode == 0
    served.start()
    yield served
    served.stop()


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return page


@pytest.fixture(scope="module")
def page(browser, server):
    page = open_page(browser, server.url)
    yield page
    page.context.close()


def ask(page, question: str) -> None:
    before = page.locator("#chat .rag-answer.rag-done").count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function("n => document.querySelectorAll('#chat .rag-done').length > n",
                           arg=before)
    expect(page.locator("#chat .rag-actions")).to_have_count(before + 1)


def answers(page):
    return page.locator("#chat .rag-answer.rag-done")


def rate_last(page, button: str) -> None:
    # A rated message keeps only its chosen thumb, so count from the newest answer.
    page.locator("#chat").get_by_role("button", name=button, exact=True).last.click()


def test_copy_and_download_give_the_answer_with_its_references(page, tmp_path):
    ask(page, WAGNER)
    page.locator("#chat .rag-copy-md").last.click()
    expect(page.locator("#chat .rag-copy-md").last).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"## {WAGNER}\n")
    assert "December 2021" in copied and "### References" in copied
    assert "\n1. **" in copied and "   > " in copied and "file: " in copied
    with page.expect_download() as download:
        page.locator("#chat .rag-download-md").last.click()
    assert download.value.suggested_filename == "answer-1-when-did-wagner-deploy-to-mali.md"
    saved = tmp_path / "answer.md"
    download.value.save_as(saved)
    assert saved.read_text() == copied


def test_thumbs_and_the_box_store_feedback(page, server):
    rate_last(page, "Like")
    expect(page.locator("#feedback-status")).to_contain_text("saved")
    expect(page.locator("#feedback-save")).to_be_hidden()

    ask(page, LIGHTHOUSE)
    rate_last(page, "Dislike")
    expect(page.locator("#feedback-save")).to_be_visible()
    expect(page.locator("#feedback-heading")).to_contain_text("answer 2")
    page.fill("#feedback-expected textarea", "teal")
    page.locator("#feedback-sources").get_by_label("[1] Zorbian coastal heritage").check()
    page.screenshot(path=SHOTS / "ui-feedback-1-box.png")
    page.locator("#feedback-save").click()
    expect(page.locator("#feedback-save")).to_be_hidden()
    expect(page.locator("#feedback-status")).to_contain_text("saved")

    ask(page, BREAD)
    rate_last(page, "Dislike")
    expect(page.locator("#feedback-save")).to_be_visible()
    page.locator("#feedback-missing input").check()
    page.locator("#feedback-save").click()
    expect(page.locator("#feedback-save")).to_be_hidden()

    listed = server.rag("feedback", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("👍") == 1 and listed.stdout.count("👎") == 2
    assert "should say: teal; sources: zorbia.txt" in listed.stdout
    assert "not in the corpus" in listed.stdout


def test_reload_keeps_the_conversation(page):
    page.reload()
    page.wait_for_selector("#question textarea")
    expect(answers(page)).to_have_count(3)
    expect(answers(page).nth(1)).to_contain_text("painted teal in 1987")
    expect(page.locator("#sources .rag-group")).to_have_count(3)
    # The conversation goes on from where it was: the follow-up knows the earlier turns.
    expect(page.locator("#chat .rag-actions")).to_have_count(3)


def test_feedback_becomes_eval_cases_that_rag_eval_runs(server):
    server.stop()  # `rag eval` opens the index the server owned
    target = server.folder / "evals" / "from-chat.jsonl"
    exported = server.rag("feedback", "export", "--to", str(target))
    assert exported.returncode == 0, exported.stderr
    assert "added 3 case(s)" in exported.stdout
    cases = [json.loads(line) for line in target.read_text().splitlines()]
    assert [c["question"] for c in cases] == [WAGNER, LIGHTHOUSE, BREAD]
    assert cases[1]["facts"] == [["teal"]] and cases[1]["sources"] == ["zorbia.txt"]
    assert cases[2]["abstain"] is True
    assert all(c["tags"] == ["from-chat"] for c in cases)
    result = server.folder / "result.json"
    ran = server.rag("eval", str(target), "--json", str(result))
    assert ran.returncode == 0, ran.stderr
    assert json.loads(result.read_text())["pass_rate"] == 1.0


def test_restart_keeps_the_conversation_and_shows_changed_sources(page, server):
    wagner_source = json.loads((server.folder / "evals" / "from-chat.jsonl")
                               .read_text().splitlines()[0])["sources"][0]
    (server.corpus / "zorbia.txt").write_text(ZORBIA_NOW)
    (server.corpus / wagner_source).unlink()
    assert server.rag("ingest").returncode == 0
    server.start()

    page.reload()
    page.wait_for_selector("#question textarea")
    expect(answers(page)).to_have_count(3)
    notes = page.locator("#chat .rag-stale-note")
    expect(notes.first).to_contain_text(f"{wagner_source} was deleted from the corpus")
    expect(page.locator("#chat .rag-stale-note").last).to_contain_text(
        "zorbia.txt was replaced by a new version")
    stale = page.locator("#sources .rag-stale")
    expect(stale.filter(has_text="zorbia.txt")).to_contain_text("painted teal in 1987")
    assert "repainted red" not in page.locator("#sources").inner_text()
    page.screenshot(path=SHOTS / "ui-feedback-2-restarted.png")


def test_past_conversations_can_be_reopened_and_deleted(page):
    page.get_by_role("button", name="New conversation").click()
    expect(answers(page)).to_have_count(0)
    ask(page, "Which Russian force stayed after Wagner left?")
    page.locator("#past").get_by_text("Past conversations").click()
    page.locator("#past-choice input").click()
    expect(page.get_by_role("option")).to_have_count(2)
    page.get_by_role("option", name=WAGNER).click()
    page.locator("#past-open").click()
    expect(answers(page)).to_have_count(3)
    expect(answers(page).first).to_contain_text("December 2021")

    page.locator("#past-choice input").click()
    page.get_by_role("option", name="Which Russian force stayed").click()
    page.locator("#past-delete").click()
    page.locator("#past-choice input").click()
    expect(page.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(answers(page)).to_have_count(3)  # the open conversation was not the deleted one
    page.screenshot(path=SHOTS / "ui-feedback-3-past.png")


def test_another_browser_sees_none_of_it(browser, server):
    stranger = open_page(browser, server.url)
    try:
        expect(stranger.locator("#chat .rag-answer")).to_have_count(0)
        stranger.locator("#past").get_by_text("Past conversations").click()
        stranger.locator("#past-choice input").click()
        expect(stranger.get_by_role("option")).to_have_count(0)
    finally:
        stranger.context.close()
