"""Answers and their sources as HTML for the chat, and as plain text for API callers.

Everything taken from the corpus or typed by a user is HTML-escaped here before it
reaches the page; the only markup in a chat message is our own (source cards, <mark>,
and [n] links to them), and the Chatbot sanitises it once more in the browser.
"""

import html
import re
from collections import Counter

from rag.answer import Answer
from rag.answer.base import Citation
from rag.answer.over_time import with_support_counts
from rag.time.as_of import heading, today
from rag.ingest.formats.fields import provenance
from rag.prompts import NO_INDEX, SUSPICIOUS, UNVERIFIED_MARK
from rag.text.markers import MARKER

STATUS_LABELS = {"verified": "verified", "reattributed": "re-attributed", "flagged": "flagged",
                 "dropped": "dropped"}
# Shown on hover over a generated sentence.
STATUS_TITLES = {"verified": "verified: the cited source says this",
                 "reattributed": "re-attributed: cited to the source that says this",
                 "flagged": "unverified: no source given to the model says this"}


def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` escaped, with the given character spans wrapped in <mark>."""
    parts, cursor = [], 0
    for start, end in sorted(spans):
        start, end = max(start, cursor), min(end, len(text))
        if start >= end:
            continue  # overlaps what is already marked, or out of range
        parts += [html.escape(text[cursor:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return "".join(parts)


def source_id(turn: int | str, n: int) -> str:
    # Unique per chat turn: every answer numbers its sources from [1].
    return f"src-{turn}-{n}"


def _link(citation: Citation, turn: int) -> str:
    return (f'<a class="rag-cite" href="#{source_id(turn, citation.n)}" '
            f'title="{html.escape(citation.title)}">[{citation.n}]</a>')


def _linked_answer(answer: Answer, turn: int) -> str:
    cited = {c.n: c for c in answer.citations}

    def link(match: re.Match) -> str:
        citation = cited.get(int(match.group(1)))
        if citation is None:
            return match.group(0)
        count = answer.support.get(citation.n)
        badge = (f' <span class="rag-support">{count} source{"s" if count != 1 else ""}</span>'
                 if count else "")
        return _link(citation, turn) + badge

    linked = MARKER.sub(link, _bold_lead(html.escape(answer.answer)))
    return linked.replace(UNVERIFIED_MARK, f'<span class="rag-flag">{UNVERIFIED_MARK}</span>')


# The reader's short answer leads a quoted answer as `**span** [1]` (rag/answer/extractive.py).
_LEAD = re.compile(r"^\*\*(?=\S)(.+?)(?<=\S)\*\*(?= \[\d+\])")


def _bold_lead(escaped: str) -> str:
    """The escaped answer with its leading `**span**` shown in bold: the only markup taken
    from an answer's text, and only there (any other `**` stays as typed)."""
    return _LEAD.sub(lambda m: f'<strong class="rag-lead">{m.group(1)}</strong>', escaped, count=1)


def _checked_sentences(answer: Answer, turn: int) -> str:
    """A generated answer's shown sentences, each marked with what the verifier found
    and linked to the source that supports it."""
    cited = {c.n: c for c in answer.citations}
    parts = []
    for row in answer.sentences:
        if row["status"] == "dropped":
            continue
        if row["cited"] is None:
            mark = f'<span class="rag-flag">{UNVERIFIED_MARK}</span>'
        else:
            mark = f'{_link(cited[row["cited"]], turn)}<span class="rag-mark">✓</span>'
        parts.append(f'<span class="rag-sentence rag-{row["status"]}" '
                     f'title="{STATUS_TITLES[row["status"]]}">{html.escape(row["text"])} {mark}</span>')
    return " ".join(parts)


def _generated(answer: Answer) -> bool:
    """Whether the answer is the model's own checked sentences (not quoted, not a fallback)."""
    return answer.backend != "extractive" and bool(answer.sentences) and not answer.notice


def checked_summary(answer: Answer) -> str:
    """What the verifier did with a generated answer's sentences, e.g. "written by the
    local model; 2 verified, 1 re-attributed, 1 dropped"; empty for a quoted answer."""
    if not (answer.done and _generated(answer)):
        return ""
    counts = Counter(s["status"] for s in answer.sentences)
    done = [f"{counts[k]} {label}" for k, label in STATUS_LABELS.items() if counts[k]]
    return f"written by the {answer.backend} model; sentences checked against their sources: {', '.join(done)}"


def _dated(citation: Citation, as_of: str | None = None) -> list[str]:
    """The document id, then its date, source and pages when the corpus gave them, and
    its age `as_of` (default today)."""
    return [citation.doc_id, *provenance(citation.metadata, as_of or today())]


def _source_details(citation: Citation, as_of: str | None = None) -> list[str]:
    details = [html.escape(part) for part in _dated(citation, as_of)]
    url = str(citation.metadata.get("url", ""))
    if url.startswith(("http://", "https://")):  # never a javascript: or data: link
        details.append(f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">'
                       "original article</a>")
    return details


def render_source(citation: Citation, turn: int | str, as_of: str | None = None) -> str:
    return (f'<div class="rag-source" id="{source_id(turn, citation.n)}">'
            f"<div><strong>[{citation.n}] {html.escape(citation.title or citation.doc_id)}"
            "</strong></div>"
            f'<div class="rag-source-meta">{" · ".join(_source_details(citation, as_of))}</div>'
            f"{_suspicious(citation)}"
            f'<div class="rag-passage">{highlight(citation.text, citation.highlights)}</div></div>')


def _suspicious(citation: Citation) -> str:
    if not citation.metadata.get("suspicious"):
        return ""
    return f'<div class="rag-suspicious">⚠ {html.escape(SUSPICIOUS)}</div>'


def render_answer(answer: Answer, turn: int, index_empty: bool = False, filtered: str = "") -> str:
    """One assistant chat message: the answer with its [n] markers linked to the sources
    panel; `filtered` says which documents a filter left in the search."""
    classes = "rag-answer rag-done" if answer.done else "rag-answer"
    parts = [f'<div class="{classes}">']
    if filtered:
        parts.append(f'<p class="rag-searched rag-filtered">only documents {html.escape(filtered)}</p>')
    if answer.searched_for and answer.searched_for != answer.question:
        parts.append('<p class="rag-searched">searched for: '
                     f"“{html.escape(answer.searched_for)}”</p>")
    if answer.notice:
        parts.append(f'<p class="rag-notice">{html.escape(answer.notice)}</p>')
    writing = not answer.done and answer.backend != "extractive"
    if answer.abstained:
        hint = (f"{NO_INDEX} Or add documents in the Corpus tab." if index_empty else
                "No passage in the corpus answers this well enough, so nothing is cited. "
                "Try rephrasing, or add documents in the Corpus tab.")
        parts.append(f'<p class="rag-notfound">Not found in the corpus</p>'
                     f'<p class="rag-text">{html.escape(answer.answer)}</p>'
                     f'<p class="rag-hint">{html.escape(hint)}</p>')
    else:
        if writing:
            parts.append('<p class="rag-hint">Quoted from the sources:</p>')
        text = _checked_sentences(answer, turn) if answer.done and _generated(answer) else \
            _linked_answer(answer, turn)
        if answer.as_of:
            text = f'<span class="rag-as-of">{html.escape(heading(answer.as_of))}:</span> {text}'
        parts.append(f'<p class="rag-text">{text}</p>')
    if writing:
        parts.append(f'<div class="rag-draft"><p class="rag-hint">The {html.escape(answer.backend)} '
                     "model is writing an answer; each sentence is checked against the sources "
                     f'as it is finished…</p><p>{_checked_sentences(answer, turn)} '
                     f'<span class="rag-tail">{html.escape(answer.draft)}</span></p></div>')
    if summary := checked_summary(answer):
        parts.append(f'<p class="rag-checked">{html.escape(summary)}</p>')
    parts.append("</div>")
    return "".join(parts)


def render_sources(answer: Answer, turn: int) -> str:
    """The sources panel's section for one answer."""
    heading = (f'<h4>Answer {turn}: <span class="rag-question">“{html.escape(answer.question)}”'
               "</span></h4>")
    if not answer.citations:  # an abstention, unless the model's draft cites some
        body = '<p class="rag-hint">Not found in the corpus: nothing to cite.</p>'
    else:
        body = "".join(render_source(c, turn, answer.as_of) for c in answer.citations)
    return f'<section class="rag-group" id="answer-{turn}">{heading}{body}</section>'


def sources_panel(sections: list[str]) -> str:
    if not sections:
        return ('<p class="rag-hint">The sources of each answer appear here, newest first, with '
                "the quoted sentences highlighted. Click a [n] marker in an answer to jump to "
                "its passage.</p>")
    return "".join(sections)


def error_message(text: str) -> str:
    return f'<div class="rag-answer rag-done"><p class="rag-text rag-error">{html.escape(text)}</p></div>'


def pending_message(question: str) -> str:
    return ('<div class="rag-answer"><p class="rag-pending">Searching the corpus for '
            f"“{html.escape(question)}”…</p></div>")


def answer_text(answer: Answer) -> str:
    """Plain text for API callers: the answer with [n] markers, then its sources."""
    lines = []
    if answer.searched_for and answer.searched_for != answer.question:
        lines.append(f"(searched for: {answer.searched_for})")
    if answer.notice:
        lines.append(f"({answer.notice})")
    text = with_support_counts(answer.answer, answer.support)
    lines.append(f"{heading(answer.as_of)}: {text}" if answer.as_of else text)
    if summary := checked_summary(answer):
        lines.append(f"({summary})")
        lines += [_sentence_line(s) for s in answer.sentences]
    if answer.citations:
        lines += ["", "Sources:"]
    for c in answer.citations:
        cited = " … ".join(" ".join(c.text[s:e].split()) for s, e in c.highlights)
        lines.append(f"[{c.n}] {c.title} ({', '.join(_dated(c, answer.as_of))})\n    “{cited}”")
        if c.metadata.get("suspicious"):
            lines.append(f"    ({SUSPICIOUS})")
    return "\n".join(lines)



def _sentence_line(sentence: dict) -> str:
    cited = f" by [{sentence['cited']}]" if sentence["cited"] else ""
    return f"  - {STATUS_LABELS[sentence['status']]}{cited}: {sentence['text']}"
