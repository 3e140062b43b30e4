"""How a generated answer shows: the quoted evidence with, under it, the sentences checked
so far and the unfinished draft while it is written; then the checked answer with what the
verifier did, or the notice of a fallback."""

from rag.answer import Answer, Citation
from rag.app.ui.render import answer_text, render_answer

CITATION = Citation(n=1, doc_id="d.txt", title="T", text="Wagner came in 2021.", start=0, end=20,
                    highlights=[(0, 20)])
SECOND = Citation(n=2, doc_id="e.txt", title="U", text="It left in 2025.", start=0, end=16)


def test_the_draft_streams_under_the_quoted_evidence() -> None:
    partial = Answer(question="q", answer="Wagner came in 2021. [1]", abstained=False,
                     citations=[CITATION, SECOND], backend="local", draft="Wagner <b>came", done=False,
                     sentences=[{"text": "It left in 2025.", "status": "reattributed", "cited": 2},
                                {"text": "It was paid in gold.", "status": "dropped", "cited": None}])
    html = render_answer(partial, 1)
    assert "Quoted from the sources" in html and "local model is writing" in html
    assert '<span class="rag-tail">Wagner &lt;b&gt;came</span>' in html
    # Checked sentences only, linked to their sources; the dropped one never shows.
    assert 'rag-sentence rag-reattributed' in html and 'href="#src-1-2"' in html
    assert "paid in gold" not in html and "rag-checked" not in html


def test_a_checked_answer_says_what_was_verified() -> None:
    sentences = [{"text": "Wagner came in 2021.", "status": "verified", "cited": 1},
                 {"text": "It was paid in gold.", "status": "dropped", "cited": None}]
    answer = Answer(question="q", answer="Wagner came in 2021. [1]", abstained=False,
                    citations=[CITATION], backend="openai", sentences=sentences)
    html = render_answer(answer, 1)
    assert "1 verified, 1 dropped" in html
    assert '<span class="rag-sentence rag-verified" title="verified: the cited source says this">' \
           'Wagner came in 2021. <a class="rag-cite" href="#src-1-1"' in html
    assert "paid in gold" not in html
    text = answer_text(answer)
    assert "verified by [1]: Wagner came in 2021." in text and "dropped: It was paid in gold." in text


def test_a_fallback_shows_its_notice() -> None:
    answer = Answer(question="q", answer="Wagner came in 2021. [1]", abstained=False,
                    citations=[CITATION], backend="openai", notice="The language model did not answer (x).")
    assert "rag-notice" in render_answer(answer, 1)
    assert answer_text(answer).startswith("(The language model did not answer (x).)")


def test_the_readers_lead_is_bold_and_nothing_else_is_markup() -> None:
    answer = Answer(question="q", answer="**2021 <i>x</i>** [1] Wagner came in **2021**. [1]", abstained=False,
                    citations=[CITATION])
    html = render_answer(answer, 1)
    assert '<strong class="rag-lead">2021 &lt;i&gt;x&lt;/i&gt;</strong> <a class="rag-cite"' in html
    assert "Wagner came in **2021**." in html  # only the lead is bold
    assert answer_text(answer).startswith("**2021 <i>x</i>** [1]")  # plain text keeps the markup
    unled = Answer(question="q", answer="**Not a lead. [1]", abstained=False, citations=[CITATION])
    assert "<strong" not in render_answer(unled, 1)
