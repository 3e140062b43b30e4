"""Dates, sources and new formats in the UI: `/chat` filters, source cards, the Corpus
tab's columns and sorting, PDF and Word uploads; then the same in a real browser."""

import re
from pathlib import Path

import docx
import pytest
from gradio_client import Client
from playwright.sync_api import expect

from rag.app.ui import CorpusError, save_upload
from rag.app.ui.corpus import documents_rows
from tests.browser.pages import SHOTS, ask, last_answer, open_tab
from tests.samples import ROOT, pdf_bytes, scanned_pdf_bytes
from tests.servers import dated_app

pytestmark = pytest.mark.integration
DATED = ROOT / "evals" / "corpora" / "dated"
TROOPS = "How many troops does the Sahel Shield joint force have?"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with dated_app(tmp_path_factory.mktemp("ui-dated")) as app:
        yield app


@pytest.fixture
def client(served) -> Client:
    return Client(served[0], verbose=False)


def test_chat_without_filters_still_answers(client):
    text = client.predict("How many troops does the Sahel Shield joint force currently have?",
                          api_name="/chat")
    # "currently": the answer says the date it holds as of (today, none given); the reader's
    # short answer leads, then the newer document's sentence.
    body = re.sub(r"^As of [^:]+: ", "", text)
    assert body != text
    assert re.sub(r"^\*\*[^*]+\*\* \[\d+\]( \(\d+ sources?\))? ", "", body).startswith(
        "The Sahel Shield joint force has 6,000 troops")
    assert "sahel-shield-2025, 2025-10-12, Sahel Economic Monitor" in text


def test_chat_filters_by_date_and_source(client):
    old = client.predict(TROOPS, until="2024-12-31", api_name="/chat")
    assert "3,000 troops" in old and "6,000" not in old
    wire = client.predict("What does a litre of petrol cost in Niamey?", sources=["niger daily"],
                          api_name="/chat")
    assert "540 CFA francs" in wire and "499" not in wire
    for bad, reason in [({"since": "soon"}, "'soon' is not a date"),
                        ({"sources": ["Nobody"]}, "no source matches 'Nobody'")]:
        with pytest.raises(Exception, match=reason):
            client.predict(TROOPS, api_name="/chat", **bad)


def test_corpus_rows_show_and_sort_by_date_and_source(served):
    pipeline = served[1]
    newest = documents_rows(pipeline)
    assert newest[0][:4] == ["sahel-shield-2025", "Sahel Shield force doubles in size", "2025-10-12",
                             "Sahel Economic Monitor"]
    assert newest[-1][2] == ""  # the seed articles carry no date: last
    by_source = [row[3] for row in documents_rows(pipeline, "Source")]
    named = [s for s in by_source if s]
    assert named == sorted(named, key=str.casefold) and by_source[0] == "Bamako Economic Daily"
    assert by_source[-1] == ""


def test_pdf_and_word_uploads(served, tmp_path):
    settings = served[1].settings
    (tmp_path / "report.pdf").write_bytes(pdf_bytes([["Page one text about the mine."],
                                                     ["Page two text about the rail line."]]))
    assert save_upload(tmp_path / "report.pdf", settings).name == "report.pdf"
    note = docx.Document()
    note.add_heading("Progress note", level=1)
    note.add_paragraph("The line will open to freight traffic in 2029.")
    note.save(tmp_path / "note.docx")
    assert save_upload(tmp_path / "note.docx", settings).name == "note.docx"
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf_bytes(2))
    with pytest.raises(CorpusError, match="scan.pdf: scanned PDF without a text layer"):
        save_upload(tmp_path / "scan.pdf", settings)
    for name in ("report.pdf", "note.docx"):
        (Path(settings.corpus_dir) / name).unlink()
    assert not (Path(settings.corpus_dir) / "scan.pdf").exists()


def test_browser_filters_and_dated_source_cards(page):
    expect(page.locator("#since")).to_be_hidden()  # collapsed by default
    page.get_by_text("Filter by date and source").click()
    page.fill("#until textarea, #until input", "2024-12-31")
    ask(page, TROOPS)
    expect(last_answer(page)).to_contain_text("3,000 troops")
    expect(last_answer(page).locator(".rag-filtered")).to_have_text("only documents dated … to 2024-12-31")
    card = page.locator("#sources .rag-group").first.locator(".rag-source-meta").first
    expect(card).to_contain_text("2023-09-27 · Niger Daily Wire")
    page.screenshot(path=SHOTS / "ui-dated-1-filtered.png")

    page.fill("#until textarea, #until input", "soon")
    ask(page, TROOPS)
    expect(last_answer(page)).to_contain_text("Filter: until: 'soon' is not a date")
    page.fill("#until textarea, #until input", "")

    page.locator("#source-picker input").click()
    page.get_by_role("option", name="Sahel Economic Monitor").click()
    page.keyboard.press("Escape")
    ask(page, "What does a litre of petrol cost in Niamey?")
    expect(last_answer(page)).to_contain_text("499 CFA francs")
    expect(page.locator("#sources .rag-group").first).not_to_contain_text("Niger Daily Wire")
    page.screenshot(path=SHOTS / "ui-dated-2-source-picked.png")


def test_browser_corpus_tab_sorts_and_pdf_pages_show(page, served, tmp_path):
    open_tab(page, "Corpus")
    table = page.locator("#documents")
    expect(table).to_contain_text("Published")
    expect(table.get_by_role("row").nth(1)).to_contain_text("2025-10-12")
    page.locator("#sort").get_by_text("Source", exact=True).click()
    expect(table.get_by_role("row").nth(1)).to_contain_text("Bamako Economic Daily")
    page.screenshot(path=SHOTS / "ui-dated-3-corpus-by-source.png")

    pages = [[f"Section {n}: the observatory counted {n * 7} new wells in the Gourma region."]
             for n in range(1, 4)]
    (tmp_path / "wells.pdf").write_bytes(pdf_bytes(pages))
    page.set_input_files("#upload input[type=file]", str(tmp_path / "wells.pdf"))
    expect(page.locator("#corpus-status")).to_contain_text("Saved to the corpus folder: wells.pdf")
    expect(table).to_contain_text("Sahel mining report 2025")

    open_tab(page, "Ask")
    page.locator("#source-picker").get_by_role("button").first.click()  # clear the picked source
    ask(page, "How many new wells did the observatory count in section 2?")
    expect(last_answer(page)).to_contain_text("14 new wells")
    expect(page.locator("#sources .rag-group").first.locator(".rag-source-meta").first) \
        .to_contain_text("p. 2")
    page.screenshot(path=SHOTS / "ui-dated-4-pdf-page.png")
    (Path(served[1].settings.corpus_dir) / "wells.pdf").unlink()
