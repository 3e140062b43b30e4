"""Answers across time: what changed (dated statements in time order), values that
sources of different dates disagree on (both shown with their dates), and how many
independent sources support each cited passage (near-identical articles, such as wire
copy republished by several sites, counted once).

Everything here quotes the passages verbatim, as the extractive answer does: dates are
the sentence's own (resolved: rag/time/mentions.py) or its article's.
"""

import re

from llama_index.core.schema import NodeWithScore

from rag.answer.base import Answer, Citation, cite
from rag.answer.candidates import Candidate, spaced
from rag.answer.extractive import ExtractiveAnswerer
from rag.text.sentences import sentence_spans
from rag.time.mentions import describe, find_dates

_CHANGE = re.compile(r"\bhow (?:has|have|did|does|do)\b.*\b(?:change|changed|evolve|evolved|grow|grew|"
                     r"develop|developed|shift|shifted)\b|\bwhat changed\b|\bbetween (?:19|20)\d\d and "
                     r"(?:19|20)\d\d\b|\bsince the\b.*\?$", re.IGNORECASE)
_YEARS = re.compile(r"\b((?:19|20)\d\d)\b")
_NUMBER = re.compile(r"\d[\d,.]*")
# What counts as the same statement, event or article, and how much a change answer
# quotes: `settings.time`.


def asks_change(question: str) -> bool:
    return bool(_CHANGE.search(question))


def change_answer(question: str, passages: list[NodeWithScore],
                  answerer: ExtractiveAnswerer) -> Answer | None:
    """Dated statements in time order, each cited, from different articles; None when the
    passages do not give at least two dates to compare."""
    ranked, tuned = answerer.score(question, passages), answerer.settings.time
    if not ranked or ranked[0].score < answerer.settings.answer.abstain_threshold:
        return None  # the quoted answer abstains as it would
    years = sorted(_YEARS.findall(question))
    best: dict[str, tuple[str, Candidate]] = {}
    quoted: set[str] = set()  # wire copy republished elsewhere is quoted once
    for candidate in ranked:
        doc = _doc(candidate.passage)
        when = _when(candidate)
        if (candidate.score < ranked[0].score - tuned.change_margin or doc in best or when is None
                or spaced(candidate.text) in quoted
                or (len(years) >= 2 and not years[0] <= when[:4] <= years[-1])):
            continue
        best[doc] = (when, candidate)
        quoted.add(spaced(candidate.text))
    chosen = sorted(best.values(), key=lambda pair: pair[0])[:tuned.change_statements]
    if len({when for when, _ in chosen}) < 2:
        return None
    citations: list[Citation] = []
    parts = []
    for _, candidate in chosen:
        citation = cite(len(citations) + 1, candidate.passage)
        citation.highlights.append((candidate.start, candidate.end))
        citations.append(citation)
        parts.append(f"{spaced(candidate.text)} [{citation.n}]")
    return Answer(question=question, answer=" ".join(parts), abstained=False, citations=citations)


def dated_statements(answer: Answer) -> str:
    """A change answer's text with each statement's date before it: "14 March 2022: … [1]"
    (added once its quotes are checked against their passages)."""
    parts = []
    for citation in answer.citations:
        start, end = citation.highlights[0]
        sentence = citation.text[start:end]
        when = _date_of(sentence, citation.metadata)  # every statement chosen has one
        parts.append(f"{_shown(when) if when else 'undated'}: {spaced(sentence)} [{citation.n}]")
    return " ".join(parts)


def with_disagreement(answer: Answer, question: str, passages: list[NodeWithScore],
                      answerer: ExtractiveAnswerer) -> Answer:
    """`answer` with the same statement from a source of another date added, both dates
    given, when that source's numbers differ from the answer's lead sentence."""
    if answer.abstained or not answer.citations or not answer.citations[0].highlights:
        return answer
    lead_citation = answer.citations[0]
    lead_date = lead_citation.metadata.get("published_at")
    if not lead_date or not (quoted := _quoted_sentences(lead_citation)):
        return answer
    lead = quoted[0]
    cited_docs = {c.doc_id for c in answer.citations}
    others = [c for c in answerer.score(question, passages)
              if _doc(c.passage) not in cited_docs and c.passage.node.metadata.get("published_at")
              not in (None, lead_date)]
    if not others:
        return answer
    vectors = answerer._vectors([lead, *(c.text for c in others)])
    same_kind = answerer.settings.time.same_kind
    for candidate, vector in zip(others, vectors[1:]):
        if float(vector @ vectors[0]) >= same_kind and _numbers(candidate.text) != _numbers(lead) \
                and _numbers(candidate.text):
            citation = cite(len(answer.citations) + 1, candidate.passage)
            citation.highlights.append((candidate.start, candidate.end))
            other_date = candidate.passage.node.metadata["published_at"]
            answer.answer += (f" Sources of different dates disagree: {_shown(lead_date)} [1], and "
                              f"{_shown(other_date)}: {spaced(candidate.text)} [{citation.n}]")
            answer.citations.append(citation)
            break
    return answer


def support(answer: Answer, passages: list[NodeWithScore], answerer: ExtractiveAnswerer) -> dict[int, int]:
    """For each cited passage [n], how many independent sources say what it is quoted for:
    the articles among the retrieved passages holding a sentence that close to a quoted
    one, near-identical articles counted once."""
    counts: dict[int, int] = {}
    tuned = answerer.settings.time
    sentences = [(p, s) for p in passages for s in _sentences(p)]
    if not sentences or answer.abstained:
        return counts
    vectors = answerer._vectors([s for _, s in sentences])
    for citation in answer.citations:
        if not (quoted := _quoted_sentences(citation)):
            continue
        mine = answerer._vectors(quoted)
        numbers = [_numbers(q) for q in quoted]
        # Close in meaning and with the same figures: "3,000 troops" does not support "6,000 troops".
        close = [any(score >= tuned.same_statement and _numbers(text) == numbers[i]
                     for i, score in enumerate(row)) for row, (_, text) in zip(vectors @ mine.T, sentences)]
        holders = {_doc(p): p.node.get_content() for (p, _), yes in zip(sentences, close) if yes}
        holders.setdefault(citation.doc_id, citation.text)
        counts[citation.n] = _independent(list(holders.values()), tuned.same_article)
    return counts


def _independent(texts: list[str], same_article: float) -> int:
    """How many of these passages are not near-copies of one counted before."""
    kept: list[set] = []
    for text in texts:
        shingles = _shingles(text)
        if not any(len(shingles & k) / max(len(shingles | k), 1) >= same_article for k in kept):
            kept.append(shingles)
    return len(kept)


def _shingles(text: str) -> set:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 5]) for i in range(max(len(words) - 4, 1))}


def _quoted_sentences(citation: Citation) -> list[str]:
    """The passage's sentences inside its highlighted spans (a quote may hold several), cut
    as ingest cut them, so their stored vectors are found."""
    return [citation.text[s:e] for s, e in sentence_spans(citation.text)
            if any(start <= s and e <= end for start, end in citation.highlights)]


def _sentences(passage: NodeWithScore) -> list[str]:
    text = passage.node.get_content()
    return [text[s:e] for s, e in sentence_spans(text)]


def _doc(passage: NodeWithScore) -> str:
    return passage.node.metadata.get("doc_id", passage.node.ref_doc_id or "")


def _when(candidate: Candidate) -> str | None:
    return _date_of(candidate.text, candidate.passage.node.metadata)


def _date_of(sentence: str, metadata: dict) -> str | None:
    """The sentence's own date, else its article's."""
    published = metadata.get("published_at")
    stated = [m.value for m in find_dates(sentence, published) if m.value]
    return stated[0] if stated else published


def _numbers(text: str) -> set[str]:
    return {n.strip(".,").replace(",", "") for n in _NUMBER.findall(text)} - {""}


def _shown(value: str) -> str:
    return describe(value, "day" if len(value) == 10 else "")


def with_support_counts(text: str, counts: dict[int, int]) -> str:
    """"… [1]" as "… [1] (2 sources)", for plain-text answers."""
    def mark(match: re.Match) -> str:
        n = int(match.group(1))
        return f"{match.group(0)} ({_sources(counts[n])})" if n in counts else match.group(0)
    return re.sub(r"\[(\d+)\]", mark, text)


def _sources(count: int) -> str:
    return f"{count} source{'s' if count != 1 else ''}"

