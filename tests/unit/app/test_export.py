"""Answers as Markdown and JSON with numbered references; nothing from the corpus live."""

import re

from markdown_it import MarkdownIt

from rag.answer import Answer, Citation
from rag.app.export import escape, to_json, to_markdown

HOSTILE = 'The office keeps its records in a <script>alert(1)</script> ledger & pays $5 or $10.'


def cited(**overrides) -> Citation:
    fields = dict(n=1, doc_id="notes/vexhall.txt", title="Vexhall <img src=x onerror=alert(1)>",
                  text=f"Intro. {HOSTILE} More.", start=100, end=180, highlights=[(7, 7 + len(HOSTILE))],
                  metadata={"source": "Harbour_News", "published_at": "2025-03-04", "page": 4})
    return Citation(**{**fields, **overrides})


def html_of(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_markdown_holds_numbered_references():
    answer = Answer(question="Where are the records?", answer=f"{HOSTILE} [1]", abstained=False,
                    citations=[cited(), cited(n=2, doc_id="b.txt", title="B", highlights=[],
                                          metadata={"url": "https://example.org/b?x=1&y=2"})])
    md = to_markdown(answer)
    assert md.startswith("## Where are the records?\n")
    assert "1. **Vexhall \\<img src=x onerror=alert(1)\\>** · Harbour\\_News · 2025-03-04 · p. 4" in md
    assert "   file: notes/vexhall.txt" in md
    assert "<https://example.org/b?x=1&y=2>" in md
    rendered = html_of(md)
    assert "<script" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # shown as text
    assert '<a href="https://example.org/b?x=1&amp;y=2">' in rendered
    assert "<blockquote>" in rendered and "<ol>" in rendered


def test_links_that_are_not_web_addresses_are_not_links():
    answer = Answer(question="q", answer="a [1]", abstained=False,
                    citations=[cited(metadata={"url": "javascript:alert(1)"})])
    assert "javascript" not in to_markdown(answer)
    assert to_json(answer)["references"][0]["url"] is None


def test_escape_makes_markdown_literal():
    for text in ["# heading", "1. list", "- item", "> quote", "**bold**", "[x](http://e)",
                 "a_b_c", "$x$", "`code`", "&amp;", "<b>x</b>", "| a | b |"]:
        rendered = html_of(escape(text))
        assert rendered == f"<p>{_html_text(text)}</p>\n", text


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_generated_answer_lists_each_sentence_with_its_status():
    answer = Answer(question="q", answer="It stayed. [1] It grew.", abstained=False,
                    backend="local", citations=[cited()],
                    sentences=[{"text": "It stayed.", "status": "verified", "cited": 1},
                               {"text": "It grew.", "status": "flagged", "cited": None},
                               {"text": "It flew.", "status": "dropped", "cited": None}])
    data = to_json(answer)
    assert [s["status"] for s in data["sentences"]] == ["verified", "flagged", "dropped"]
    md = to_markdown(answer)
    assert "- *verified* \\[1\\]: It stayed." in md
    assert "- *unverified*: It grew." in md
    assert "- *dropped (no source says this)*: It flew." in md


def test_quoted_answer_has_no_sentence_statuses():
    answer = Answer(question="q", answer="a [1]", abstained=False, citations=[cited()])
    data = to_json(answer)
    assert data["sentences"] == []
    ref = data["references"][0]
    assert ref["quoted"] == [HOSTILE] and ref["passage"].startswith("Intro.")
    assert (ref["title"], ref["date"], ref["page"], ref["document"]) == (
        "Vexhall <img src=x onerror=alert(1)>", "2025-03-04", 4, "notes/vexhall.txt")


def test_abstention_has_no_references():
    md = to_markdown(Answer.abstention("Who won the cup?"))
    assert "I could not find this in the corpus." in md and "References" not in md


def test_the_readers_bold_lead_stays_bold_and_nothing_else_does():
    answer = Answer(question="q", abstained=False, citations=[cited()],
                    answer="**1,000** [1] The force has 1,000 **troops** [1]")
    md = to_markdown(answer)
    assert "**1,000** \\[1\\] The force has 1,000 \\*\\*troops\\*\\* \\[1\\]" in md
    assert "<p><strong>1,000</strong> [1] The force has 1,000 **troops** [1]</p>" in html_of(md)


def test_bare_addresses_are_not_left_for_a_viewer_to_link():
    text = "Write to desk@example.org, see https://evil.example/x, HTTP://a.b or www.evil.example."
    escaped = escape(text)
    # What GFM's autolink extension links by itself: "scheme:", "www.", "name@host".
    assert not re.search(r"(?i)(https?|ftp|mailto):|www\.|\w@", escaped), escaped
    assert html_of(escaped) == f"<p>{text}</p>\n"  # shown as written, no link
    answer = Answer(question="q", answer="See www.evil.example [1]", abstained=False,
                    citations=[cited(text=text, highlights=[])])
    md = to_markdown(answer)
    assert "www." not in md and "https://" not in md and "<a " not in html_of(md)
