"""An answer to take away: Markdown or JSON with numbered references (title, source,
date, URL or file and page, the quoted passage) and, when an LLM wrote the answer, what
the verifier found for each sentence.

Text from the corpus is escaped for Markdown: `<`, `&` and every character with a meaning
in Markdown become literal, so no viewer turns a document's markup into live HTML, a
link or a heading; bare web and mail addresses too, which GitHub-style viewers link by
themselves. The one span kept as Markdown is the reader's bold short answer that leads
an answer (`**1,000** [1] ...`).
"""

import re

from rag.answer import Answer, Citation

STATUS_LABELS = {"verified": "verified", "reattributed": "re-attributed",
                 "flagged": "unverified", "dropped": "dropped (no source says this)"}

# Backslash escapes work for any ASCII punctuation in CommonMark (and GitHub's $ math).
_SPECIAL = re.compile(r"([\\`*_\[\]{}<>&|~$!])")
# Only at the start of a line: headings, block quotes, lists, setext underlines.
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
# What GFM's autolink extension links without any markup: "https://", "www." and
# "name@host"; escaping the ":", the "." and the "@" keeps them text.
_BARE_LINK = re.compile(r"(?i)(https?|ftp|mailto|xmpp)(:)|(www)(\.)|(@)")
# The reader's short answer at the head of an answer (rag/answer/reading.py).
_LEAD = re.compile(r"^\*\*(?=\S)(.+?)(?<=\S)\*\*(?=\s|$)")


def _unlinked(match: re.Match) -> str:
    return "".join(part if part not in (":", ".", "@") else "\\" + part
                   for part in match.groups() if part)


def escape(text: str) -> str:
    """`text` on one line, every Markdown and HTML character in it made literal."""
    flat = _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    flat = _BARE_LINK.sub(_unlinked, flat)
    return _LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit()
                                                   else "\\" + m.group(2)), flat)


def answer_markdown(text: str) -> str:
    """The answer escaped like any corpus text, but its leading bold span kept bold."""
    lead = _LEAD.match(text.strip())
    if lead is None:
        return escape(text)
    rest = text.strip()[lead.end():]
    return f"**{escape(lead.group(1))}**" + (f" {escape(rest)}" if rest.strip() else "")


def _checked(answer: Answer) -> bool:
    """Whether the answer shown is an LLM's sentences, each checked (not a fallback)."""
    return answer.backend != "extractive" and bool(answer.sentences) and not answer.notice


def quoted(citation: Citation) -> list[str]:
    """The cited sentences of the passage, or the whole passage when none is marked."""
    spans = citation.highlights or [(0, len(citation.text))]
    return [" ".join(citation.text[start:end].split()) for start, end in sorted(spans)]


def _url(citation: Citation) -> str:
    url = str(citation.metadata.get("url", ""))
    return url if re.fullmatch(r"https?://[^\s<>\"]+", url) else ""  # never javascript:


def reference(citation: Citation) -> dict:
    meta = citation.metadata
    return {"n": citation.n, "title": citation.title or citation.doc_id,
            "document": citation.doc_id, "source": meta.get("source"),
            "date": meta.get("published_at"), "url": _url(citation) or None,
            "page": meta.get("page"), "quoted": quoted(citation), "passage": citation.text,
            "start": citation.start, "end": citation.end}


def to_json(answer: Answer) -> dict:
    shown = _checked(answer)
    return {"question": answer.question, "answer": answer.answer, "abstained": answer.abstained,
            "searched_for": answer.searched_for, "backend": answer.backend,
            "notice": answer.notice or None,
            "sentences": [{"text": s["text"], "status": s["status"], "cited": s["cited"]}
                          for s in answer.sentences] if shown else [],
            "references": [reference(c) for c in answer.citations]}


def _reference_lines(ref: dict) -> list[str]:
    known = [escape(part) for part in (ref["source"], ref["date"]) if part]
    if ref["page"]:
        known.append(f"p. {escape(ref['page'])}")
    where = f"<{ref['url']}>" if ref["url"] else f"file: {escape(ref['document'])}"
    lines = [f"{ref['n']}. **{escape(ref['title'])}**" + "".join(f" · {k}" for k in known)
             + "  ", f"   {where}"]
    lines += ["", *(f"   > {escape(text)}" for text in ref["quoted"]), ""]
    return lines


def to_markdown(answer: Answer) -> str:
    data = to_json(answer)
    lines = [f"## {escape(answer.question)}", ""]
    if answer.searched_for and answer.searched_for != answer.question:
        lines += [f"*Searched for: {escape(answer.searched_for)}*", ""]
    if answer.notice:
        lines += [f"*{escape(answer.notice)}*", ""]
    lines += [answer_markdown(answer.answer), ""]
    if data["sentences"]:
        lines += [f"**Checked sentences** (written by the {escape(answer.backend)} model):", ""]
        for s in data["sentences"]:
            cited = f" \\[{s['cited']}\\]" if s["cited"] else ""
            lines.append(f"- *{STATUS_LABELS[s['status']]}*{cited}: {escape(s['text'])}")
        lines.append("")
    if data["references"]:
        lines += ["### References", ""]
        for ref in data["references"]:
            lines += _reference_lines(ref)
    return "\n".join(lines).rstrip() + "\n"
