"""Time in the chat: `/chat` as of a date, the `/timeline` API, then the as-of field and
the Timeline tab in a real browser."""


import pytest
from gradio_client import Client
from playwright.sync_api import expect

from tests.browser.pages import NEEDS_CHROMIUM, SHOTS, ask, last_answer, open_tab
from tests.servers import dated_app

pytestmark = NEEDS_CHROMIUM
TROOPS = "How many troops does the Sahel Shield joint force have now?"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with dated_app(tmp_path_factory.mktemp("ui-time")) as app:
        yield app


@pytest.fixture
def client(served) -> Client:
    return Client(served[0], verbose=False)


def test_chat_as_of_a_date(client):
    text = client.predict(TROOPS, as_of="2024-01-01", api_name="/chat")
    assert text.startswith("As of 1 January 2024: ") and "3,000 troops" in text
    assert "6,000" not in text  # published after that date
    assert "2023-09-27, Niger Daily Wire, 3 months old" in text
    with pytest.raises(Exception, match="as of: 'someday' is not a date"):
        client.predict(TROOPS, as_of="someday", api_name="/chat")


def test_timeline_api(client):
    timeline = client.predict("Wagner Group in Mali", api_name="/timeline")
    dated = [e["date"] for e in timeline["events"] if e["date"]]
    assert dated == sorted(dated) and dated[0] == "2012" and "2021-12" in dated
    assert all(e["citations"] for e in timeline["events"])
    assert {c["n"] for c in timeline["citations"]} == {n for e in timeline["events"] for n in e["citations"]}
    bounded = client.predict("Wagner Group in Mali", since="2021-01-01", until="2021-12-31",
                             api_name="/timeline")
    assert bounded["events"] and all(e["date"].startswith("2021") for e in bounded["events"])
    with pytest.raises(Exception, match="the topic is empty"):
        client.predict("  ", api_name="/timeline")


def test_browser_as_of_field(page):
    page.get_by_text("Filter by date and source").click()
    page.fill("#as-of textarea, #as-of input", "2024-01-01")
    ask(page, TROOPS)
    answer = last_answer(page)
    expect(answer.locator(".rag-as-of")).to_have_text("As of 1 January 2024:")
    expect(answer).to_contain_text("3,000 troops")
    card = page.locator("#sources .rag-group").first.locator(".rag-source-meta").first
    expect(card).to_contain_text("2023-09-27 · Niger Daily Wire · 3 months old")
    page.screenshot(path=SHOTS / "ui-time-1-as-of.png")

    page.fill("#as-of textarea, #as-of input", "someday")
    ask(page, TROOPS)
    expect(last_answer(page)).to_contain_text("Filter: as of: 'someday' is not a date")
    page.fill("#as-of textarea, #as-of input", "")


def test_browser_timeline_tab(page):
    open_tab(page, "Timeline")
    page.fill("#timeline-topic textarea, #timeline-topic input", "Wagner Group in Mali")
    page.press("#timeline-topic textarea, #timeline-topic input", "Enter")
    events = page.locator("#timeline .rag-event")
    expect(events.first).to_contain_text("2012")
    texts = events.all_inner_texts()
    assert [i for i, t in enumerate(texts) if t.startswith("2012")][0] \
        < [i for i, t in enumerate(texts) if t.startswith("December 2021")][0] \
        < [i for i, t in enumerate(texts) if t.startswith("undated")][0]
    assert any("Wagner Group deployed to Mali in December 2021" in t for t in texts)
    expect(page.locator("#timeline-chart .matplotlib img")).to_be_visible()  # the chart
    marker = events.nth(2).locator("a.rag-cite").first
    target = marker.get_attribute("href")
    assert target and target.startswith("#src-timeline-")
    marker.click()
    expect(page.locator(target).locator("mark").first).to_be_in_viewport()
    page.screenshot(path=SHOTS / "ui-time-2-timeline.png", full_page=True)

    page.fill("#timeline-since textarea, #timeline-since input", "soon")
    page.press("#timeline-topic textarea, #timeline-topic input", "Enter")
    expect(page.locator("#timeline")).to_contain_text("since: 'soon' is not a date")
