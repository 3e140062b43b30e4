"""How a generated answer shows: the quoted evidence and the draft while it is written,
then the checked answer with what the verifier did, or the notice of a fallback."""

from rag.answer import Answer, Citation
from rag.ui.render import answer_text, render_answer

CITATION = Citation(n=1, doc_id="d.txt", title="T", text="Wagner came in 2021.", start=0, end=20,
                    highlights=[(0, 20)])


def test_the_draft_streams_under_the_quoted_evidence() -> None:
    partial = Answer(question="q", answer="Wagner came in 2021. [1]", abstained=False,
                     citations=[CITATION], backend="local", draft="Wagner <b>came", done=False)
    html = render_answer(partial, 1)
    assert "Quoted from the sources" in html and "local model is writing" in html
    assert "Wagner &lt;b&gt;came" in html


def test_a_checked_answer_says_what_was_verified() -> None:
    sentences = [{"text": "Wagner came in 2021.", "status": "verified", "cited": 1},
                 {"text": "It was paid in gold.", "status": "dropped", "cited": None}]
    answer = Answer(question="q", answer="Wagner came in 2021. [1]", abstained=False,
                    citations=[CITATION], backend="openai", sentences=sentences)
    assert "1 verified, 1 dropped" in render_answer(answer, 1)
    text = answer_text(answer)
    assert "verified by [1]: Wagner came in 2021." in text and "dropped: It was paid in gold." in text


def test_a_fallback_shows_its_notice() -> None:
    answer = Answer(question="q", answer="Wagner came in 2021. [1]", abstained=False,
                    citations=[CITATION], backend="openai", notice="The language model did not answer (x).")
    assert "rag-notice" in render_answer(answer, 1)
    assert answer_text(answer).startswith("(The language model did not answer (x).)")
