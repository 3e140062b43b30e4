"""Hostile input to the served chat, tried the way it was found: an as-of date near year 1
(issue case 4), TeX in a timeline topic (case 5), questions and topics of megabytes
(case 8) over HTTP and in the page, and a saved-conversation value tampered with in
localStorage (case 12). The seed corpus, the real embedder, Debian's chromium."""

import time

import pytest
from gradio_client import Client
from playwright.sync_api import expect

from rag.app.ui.history import conversation_store
from rag.prompts import TOO_LONG
from tests.browser.pages import (NEEDS_CHROMIUM, SHOTS, ask, last_answer,
                                 open_tab, stored_value)
from tests.servers import running_app, temp_settings

pytestmark = NEEDS_CHROMIUM
QUESTION = "When did Wagner deploy to Mali?"
TEX_TOPIC = "Wagner Group in Mali $\\fakecmd{$"
OUT_OF_RANGE = "as of: 0001-01-01 is out of range (use a date from 1900-01-01 to 9999-12-31)"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with running_app(temp_settings(tmp_path_factory.mktemp("hostile-chat"))) as app:
        yield app


def test_http_refuses_long_text_and_year_one_in_one_line(served):
    client = Client(served[0], verbose=False)
    limit = served[1].settings.ui.max_text_chars
    started = time.perf_counter()
    with pytest.raises(Exception, match=TOO_LONG.format(what="a question", limit=limit)):
        client.predict("Wagner " * 750_000, api_name="/chat")  # 5 MB: 35-88 s of CPU before
    with pytest.raises(Exception, match=TOO_LONG.format(what="a timeline topic", limit=limit)):
        client.predict("Mali " * 1_000_000, api_name="/timeline")
    assert time.perf_counter() - started < 30  # refused, not read
    with pytest.raises(Exception, match=OUT_OF_RANGE.replace("(", r"\(").replace(")", r"\)")):
        client.predict(QUESTION, as_of="0001-01-01", api_name="/chat")
    timeline = client.predict(TEX_TOPIC, api_name="/timeline")
    assert timeline["topic"] == TEX_TOPIC and timeline["events"]


def test_browser_year_one_as_of_leaves_the_chat_working(page):
    box = page.locator("#question textarea")
    page.get_by_text("Filter by date and source").click()
    page.fill("#as-of textarea, #as-of input", "0001-01-01")
    ask(page, QUESTION)
    expect(last_answer(page)).to_have_text(f"Filter: {OUT_OF_RANGE}")
    expect(page.locator("#chat .rag-pending")).to_have_count(0)  # no "Searching the corpus…" left
    expect(box).to_have_value(QUESTION)  # the question given back
    expect(box).to_be_enabled()
    page.screenshot(path=SHOTS / "hostile-chat-1-year-one.png")
    page.fill("#as-of textarea, #as-of input", "")
    before = page.locator("#chat .rag-done").count()
    box.press("Enter")  # the same question, asked again from the box
    page.wait_for_function("n => document.querySelectorAll('#chat .rag-done').length > n", arg=before)
    expect(last_answer(page)).to_contain_text("December 2021")


def test_browser_long_question_is_refused_and_kept(page, served):
    box, long = page.locator("#question textarea"), "Wagner " * 700
    before = page.locator("#chat .rag-answer").count()
    box.fill(long)
    box.press("Enter")
    limit = served[1].settings.ui.max_text_chars
    expect(page.get_by_text(TOO_LONG.format(what="a question", limit=limit))).to_be_visible()
    expect(box).to_have_value(long)
    expect(page.locator("#chat .rag-answer")).to_have_count(before)  # nothing asked
    box.fill("")


def test_browser_tampered_saved_value_is_no_saved_state(page, served):
    secret = conversation_store(served[1]).secret()  # what /config gives every client
    box = page.locator("#question textarea")
    for tampered in [["x"], "x", {"id": 5, "open": None}, {"id": "x" * 5000, "open": "y"}, {"id": "x"}]:
        page.evaluate(stored_value(secret, tampered))
        page.reload()
        expect(box).to_be_enabled()  # a KeyError on load kept it disabled
    ask(page, QUESTION)
    expect(last_answer(page)).to_contain_text("December 2021")
    page.reload()  # the answer was kept under the fresh id that replaced the tampered one
    expect(page.locator("#chat .rag-answer.rag-done")).to_contain_text("December 2021")


def test_browser_timeline_topic_with_tex_or_too_long(page, served):
    topic = "#timeline-topic textarea, #timeline-topic input"
    open_tab(page, "Timeline")
    page.fill(topic, TEX_TOPIC)
    page.press(topic, "Enter")
    expect(page.locator("#timeline .rag-event").first).to_be_visible()
    expect(page.locator("#timeline-chart .matplotlib img")).to_be_visible()
    page.screenshot(path=SHOTS / "hostile-chat-2-tex-topic.png", full_page=True)
    page.fill(topic, "Mali " * 1000)
    page.press(topic, "Enter")
    limit = served[1].settings.ui.max_text_chars
    expect(page.locator("#timeline")).to_have_text(TOO_LONG.format(what="a timeline topic", limit=limit))
