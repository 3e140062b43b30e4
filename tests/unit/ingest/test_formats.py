"""Saved news pages, PDF and Word files, generated here as a user would have them."""

import json
from pathlib import Path

import docx
import pytest

from rag.ingest.chunk import chunk_document
from rag.time.days import iso_date
from rag.ingest.formats.front_matter import split_front_matter
from rag.ingest.formats.web import read_html
from rag.ingest.load import content_hash, load_corpus
from tests.samples import ROOT, pdf_bytes, scanned_pdf_bytes

ARTICLE = [
    "The Tamboura gold mine produced 6.8 tonnes of gold last year, its operator said on Thursday.",
    "The company said an upgrade of the processing plant lifted recoveries, and that about 1,400 "
    "people now work at the site in western Mali.",
    "Gold production across the country fell as several smaller mines paused operations, making "
    "Tamboura one of the few sites to grow its output during the year.",
]
FURNITURE = ["Accept all cookies", "Subscribe", "Share on Facebook", "Great news for shareholders",
             "Related stories", "Gold price hits record", "All rights reserved", "Markets"]


def news_page(head: str, byline: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head><body>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/mining">Mining</a></li>
<li><a href="/markets">Markets</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav>
<main><article><h1>Tamboura gold output climbs after plant upgrade</h1>{byline}
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
{paragraphs}</article>
<section class="comments"><h3>Comments (2)</h3>
<div class="comment"><b>investor22</b> Great news for shareholders, buying more!</div></section>
<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/a">Gold price hits record high as investors seek safety</a></li></ul></aside></main>
<footer><p>© 2025 Mining Weekly Africa. All rights reserved.</p></footer></body></html>"""


def assert_article_only(text: str) -> None:
    for paragraph in ARTICLE:
        assert paragraph in text
    for junk in FURNITURE:
        assert junk not in text


def test_news_page_with_json_ld(tmp_path: Path) -> None:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "headline": "Tamboura gold output climbs after plant upgrade",
          "datePublished": "2025-02-20T09:15:00+00:00",
          "author": {"@type": "Person", "name": "Samuel Owusu"},
          "publisher": {"@type": "Organization", "name": "Mining Weekly Africa"}}
    head = ("<title>Tamboura gold output climbs after plant upgrade | Mining Weekly Africa</title>"
            '<meta property="og:site_name" content="Mining Weekly Africa">'
            '<link rel="canonical" href="https://miningweekly.example/news/tamboura">'
            f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    (tmp_path / "page.html").write_text(news_page(head))
    doc = load_corpus(tmp_path).documents[0]
    assert_article_only(doc.text)
    meta = doc.metadata
    assert meta["title"] == "Tamboura gold output climbs after plant upgrade"
    assert meta["published_at"] == "2025-02-20" and meta["published_day"] == 20250220
    assert meta["author"] == "Samuel Owusu"
    assert meta["source"] == "Mining Weekly Africa"
    assert meta["url"] == "https://miningweekly.example/news/tamboura"


def test_news_page_with_meta_date_and_no_site_name(tmp_path: Path) -> None:
    head = ("<title>Tamboura gold output climbs after plant upgrade</title>"
            '<meta name="author" content="Awa Ndiaye">'
            '<meta property="article:published_time" content="2024-11-05T08:00:00Z">'
            '<link rel="canonical" href="https://www.sahelnews.example/2024/tamboura">')
    (tmp_path / "saved.htm").write_text(news_page(head, "<p class='byline'>By Awa Ndiaye</p>"))
    doc = load_corpus(tmp_path).documents[0]
    assert_article_only(doc.text)
    assert doc.metadata["published_at"] == "2024-11-05"
    assert doc.metadata["author"] == "Awa Ndiaye"
    assert doc.metadata["source"] == "sahelnews.example"  # the page's own host


def test_page_without_article_is_reported(tmp_path: Path) -> None:
    (tmp_path / "menu.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    corpus = load_corpus(tmp_path)
    assert not corpus.documents
    assert corpus.errors[0].where == "menu.html" and "no article text" in corpus.errors[0].reason


def test_multi_page_pdf_pages_follow_the_chunks(tmp_path: Path) -> None:
    pages = [[f"Page {n} finding {i}: the observatory counted {n * 10 + i} active mining sites "
              f"in region {n}, up from the year before." for i in range(6)] for n in range(1, 5)]
    (tmp_path / "report.pdf").write_bytes(pdf_bytes(pages))
    doc = load_corpus(tmp_path).documents[0]
    assert doc.metadata["title"] == "Sahel mining report 2025"
    assert doc.metadata["published_at"] == "2025-03-01"
    assert doc.metadata["author"] == "Sahel Mining Observatory"
    starts = json.loads(doc.metadata["page_starts"])
    assert len(starts) == 4
    for n, start in enumerate(starts, start=1):
        assert doc.text[start:].startswith(f"Page {n} finding 0")
    doc.metadata["content_hash"] = content_hash(doc)
    nodes = chunk_document(doc, max_tokens=60, overlap_tokens=20)
    assert len(nodes) >= 4
    for node in nodes:
        assert node.text == doc.text[node.start_char_idx:node.end_char_idx]  # offsets exact
        assert "page_starts" not in node.metadata
        page = int(node.text.split()[1].rstrip(":"))
        assert node.metadata["page"] == page
        assert all(line.startswith(f"Page {page} ") for line in node.text.split("\n"))
    assert {n.metadata["page"] for n in nodes} == {1, 2, 3, 4}


def test_scanned_pdf_is_reported_not_indexed(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf_bytes(3))
    corpus = load_corpus(tmp_path)
    assert not corpus.documents
    reason = corpus.errors[0].reason
    assert reason.startswith("scanned PDF without a text layer (3 pages")
    assert corpus.failed_sources == {"scan.pdf"}


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.author = "Awa Ndiaye"
    document.add_heading("Sahel Rail Corridor: progress note", level=1)
    document.add_paragraph("Ibrahim Sangare is the director of the Sahel Rail Corridor project.")
    document.add_heading("Costs", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, [("Section", "Cost"), ("Tambacounda–Kayes", "900 million"),
                                       ("Kayes–Bamako", "1.4 billion")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph("Track laying is due to start next year.")
    document.save(tmp_path / "note.docx")
    doc = load_corpus(tmp_path).documents[0]
    assert doc.text.split("\n") == [
        "Sahel Rail Corridor: progress note",
        "Ibrahim Sangare is the director of the Sahel Rail Corridor project.",
        "Costs", "Section | Cost", "Tambacounda–Kayes | 900 million", "Kayes–Bamako | 1.4 billion",
        "Track laying is due to start next year.",
    ]
    assert doc.metadata["title"] == "Sahel Rail Corridor: progress note"
    assert doc.metadata["author"] == "Awa Ndiaye"


def test_broken_binaries_and_unknown_types_are_named(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "fake.docx").write_bytes(b"not a zip")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "Makefile").write_text("all:")
    (tmp_path / "ok.txt").write_text("A headline\nA sentence of text.")
    corpus = load_corpus(tmp_path)
    assert [d.id_ for d in corpus.documents] == ["ok.txt"]
    errors = {e.where: e.reason for e in corpus.errors}
    assert errors["empty.pdf"] == "empty file"
    assert errors["fake.docx"].startswith("not a readable .docx file")
    assert errors["photo.jpg"].startswith("unsupported file type .jpg (use ")
    assert errors["Makefile"].startswith("unsupported file type without an extension")


def test_front_matter_gives_date_and_source(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text(
        "---\ntitle: Junta extends transition\ndate: 14 May 2025\nsource: Bamako Herald\n---\n"
        "# Junta extends transition\n\nThe transition was extended to 2030.\n")
    doc = load_corpus(tmp_path).documents[0]
    assert doc.text == "# Junta extends transition\nThe transition was extended to 2030."
    assert doc.metadata["title"] == "Junta extends transition"
    assert (doc.metadata["published_at"], doc.metadata["source"]) == ("2025-05-14", "Bamako Herald")


def test_jsonl_dates_in_other_spellings(tmp_path: Path) -> None:
    lines = [{"id": "a", "text": "Body a.", "date": "March 3, 2024", "publisher": "Wire"},
             {"id": "b", "text": "Body b.", "published_at": "yesterday", "url": "https://www.x.example/b"}]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    a, b = load_corpus(tmp_path).documents
    assert (a.metadata["published_at"], a.metadata["source"]) == ("2024-03-03", "Wire")
    assert b.metadata["published_at"] == "yesterday" and "published_day" not in b.metadata
    assert b.metadata["source"] == "x.example"


@pytest.mark.parametrize("value, expected", [
    ("2025-02-20", "2025-02-20"), ("2025-02-20T09:15:00Z", "2025-02-20"),
    ("D:20250301120000+00'00'", "2025-03-01"), ("D:2024", "2024-01-01"), ("2024-07", "2024-07-01"),
    ("August 15th, 2022", "2022-08-15"), ("15 August 2022", "2022-08-15"), ("Aug 15, 2022", "2022-08-15"),
    ("2022/08/15", "2022-08-15"), ("last week", None), ("", None), (None, None), (20250101, None),
])
def test_iso_date(value, expected) -> None:
    assert iso_date(value) == expected


def test_front_matter_needs_flat_fields() -> None:
    assert split_front_matter("---\na: 1\n---\nbody") == ({"a": "1"}, "body")
    text = "---\n- a list, not fields\n---\nbody"
    assert split_front_matter(text) == ({}, text)
    assert split_front_matter("no block") == ({}, "no block")


def test_a_page_reads_the_same_however_often_it_is_read() -> None:
    # trafilatura's deduplication remembers text across calls: a server that re-ingested
    # the same page lost it on the fourth read.
    page = (ROOT / "evals" / "corpora" / "dated" / "tamboura-2023.html").read_text()
    texts = {read_html(page).text for _ in range(6)}
    assert len(texts) == 1 and len(next(iter(texts))) > 500
