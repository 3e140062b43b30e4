"""The chat UI in a real browser (Debian's chromium driven by playwright): ask, follow
citations, upload, delete, and nothing from the corpus ever runs as markup.

The tests share one page and run in file order, like one visitor's session.
Screenshots go to test-output/ for a person to look at.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, SHOTS, ask, last_answer, open_tab, upload
from tests.servers import running_app, temp_settings

pytestmark = NEEDS_CHROMIUM

MAX_UPLOAD_MB = 0.05  # small, so the size limit can be tried with a small file
ZORBIA = "Zorbian coastal heritage\nThe Zorbian lighthouse was painted teal in 1987.\n"
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
HOSTILE = (f"Vexhall harbour notes {IMG}\n"
           f"The Vexhall harbour office keeps its records in a {SCRIPT} blue ledger.\n")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    settings = temp_settings(tmp_path_factory.mktemp("ui-browser"), ui__max_upload_mb=MAX_UPLOAD_MB)
    with running_app(settings) as (url, pipeline):
        yield url, pipeline


@pytest.fixture(scope="module")
def outside_requests() -> list[str]:
    return []


@pytest.fixture(scope="module")
def page(served, outside_requests):
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def local_only(route):
            # The app must work offline: anything it asks of the outside world is refused
            # and recorded.
            if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
                route.continue_()
            else:
                outside_requests.append(route.request.url)
                route.abort()

        context.route("**/*", local_only)
        page = context.new_page()
        page.goto(served[0])
        page.wait_for_selector("#question textarea")
        yield page
        browser.close()


def test_first_visit_offers_examples(page):
    expect(page.get_by_text("When did Wagner deploy to Mali?")).to_be_visible()
    expect(page.locator("#sources")).to_contain_text("sources of each answer appear here")
    page.screenshot(path=SHOTS / "ui-1-first-visit.png")


def test_clicking_an_example_asks_it(page):
    page.get_by_text("Which Russian force stayed after Wagner left?").click()
    page.wait_for_selector("#chat .rag-done")
    expect(last_answer(page)).to_contain_text("Africa Corps")
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#chat .rag-answer")).to_have_count(0)
    expect(page.get_by_text("When did Wagner deploy to Mali?")).to_be_visible()


def test_answer_streams_in_with_linked_sources(page):
    first, full = ask(page, "When did Wagner deploy to Mali?")
    assert full < 10
    answer = last_answer(page)
    expect(answer).to_contain_text("December 2021")
    expect(answer.locator("a.rag-cite").first).to_have_text("[1]")
    expect(page.locator("#sources .rag-source mark").first).to_be_visible()
    page.screenshot(path=SHOTS / "ui-2-answer.png")


def test_follow_up_shows_what_was_searched(page):
    ask(page, "Which Russian force stayed after Wagner left?")
    ask(page, "Who backs it?")
    answer = last_answer(page)
    expect(answer.locator(".rag-searched")).to_contain_text(
        "searched for: “Who backs it? (Which Russian force stayed after Wagner left?)”")
    assert "africa corps" in answer.inner_text().lower() or "kremlin" in answer.inner_text().lower()
    page.screenshot(path=SHOTS / "ui-3-follow-up.png")


def test_citation_brings_its_source_into_view(page):
    # The first answer's sources are now below the newer ones, out of the panel's view.
    marker = page.locator("#chat .rag-answer").first.locator("a.rag-cite").last
    target = marker.get_attribute("href")
    assert target and target.startswith("#src-1-")
    marker.click()
    source = page.locator(target)
    expect(source.locator("mark").first).to_be_in_viewport()
    page.screenshot(path=SHOTS / "ui-4-citation-clicked.png")


def test_abstention_is_shown_as_such(page):
    ask(page, "How do I bake sourdough bread?")
    answer = last_answer(page)
    expect(answer.locator(".rag-notfound")).to_have_text("Not found in the corpus")
    expect(answer).to_contain_text("I could not find this in the corpus.")
    expect(answer.locator("a.rag-cite")).to_have_count(0)
    expect(page.locator("#sources .rag-group").first).to_contain_text("nothing to cite")
    page.screenshot(path=SHOTS / "ui-5-abstention.png")


def test_uploaded_document_can_be_asked_about(page, served, tmp_path):
    open_tab(page, "Corpus")
    upload(page, tmp_path, "zorbia.txt", ZORBIA)
    expect(page.locator("#corpus-status")).to_contain_text("Saved to the corpus folder: zorbia.txt")
    expect(page.locator("#documents")).to_contain_text("Zorbian coastal heritage")
    assert (Path(served[1].settings.corpus_dir) / "zorbia.txt").exists()
    page.screenshot(path=SHOTS / "ui-6-uploaded.png")

    open_tab(page, "Ask")
    ask(page, "What colour was the Zorbian lighthouse painted?")
    expect(last_answer(page)).to_contain_text("painted teal in 1987")
    newest = page.locator("#sources .rag-group").first
    expect(newest).to_contain_text("zorbia.txt")
    expect(newest.locator("mark")).to_be_in_viewport()  # the panel shows the newest sources


def test_document_markup_shows_as_text(page, tmp_path):
    open_tab(page, "Corpus")
    upload(page, tmp_path, "vexhall.txt", HOSTILE)
    expect(page.locator("#corpus-status")).to_contain_text("vexhall.txt")
    expect(page.locator("#documents")).to_contain_text(IMG)

    open_tab(page, "Ask")
    ask(page, "Where does the Vexhall harbour office keep its records?")
    expect(last_answer(page)).to_contain_text(SCRIPT)
    expect(page.locator("#sources .rag-group").first).to_contain_text(IMG)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#sources img, #chat .rag-answer img, #sources script").count() == 0
    page.screenshot(path=SHOTS / "ui-7-markup-as-text.png")


def test_uploads_outside_the_rules_are_refused(page, served, tmp_path):
    open_tab(page, "Corpus")
    upload(page, tmp_path, "huge.txt", "A sentence of a long article. " * 3000)
    expect(page.get_by_text("exceed the maximum allowed size")).to_be_visible()
    upload(page, tmp_path, "slides.pptx", "not a format we read")
    expect(page.get_by_text("Invalid file type")).to_be_visible()
    upload(page, tmp_path, "slides.pdf", "%PDF-1.4")  # a supported type, but broken
    expect(page.get_by_text("slides.pdf: not a readable PDF")).to_be_visible()
    page.screenshot(path=SHOTS / "ui-8-refused-uploads.png")
    corpus = Path(served[1].settings.corpus_dir)
    assert not any((corpus / name).exists() for name in ("huge.txt", "slides.pptx", "slides.pdf"))


def test_deleting_a_document_removes_it_and_its_file(page, served):
    open_tab(page, "Corpus")
    page.locator("#documents").get_by_text("zorbia.txt", exact=True).click()
    expect(page.locator("#delete-choice input")).to_have_value("zorbia.txt")
    page.locator("#delete").click()
    expect(page.locator("#corpus-status")).to_contain_text("deleted its file")
    expect(page.locator("#documents")).not_to_contain_text("zorbia.txt")
    assert not (Path(served[1].settings.corpus_dir) / "zorbia.txt").exists()
    page.screenshot(path=SHOTS / "ui-9-deleted.png")


def test_page_needs_nothing_from_outside(outside_requests):
    assert outside_requests == []
