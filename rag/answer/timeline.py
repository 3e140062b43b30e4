"""Timelines: the dated events the corpus holds about a topic, oldest first.

Each event is one sentence quoted from a retrieved passage, dated by the date it states
(resolved against its article's date: rag/time/mentions.py), else by its article's date,
marked as such (the lead sentence of a dated article: what it reports), else shown as
undated, never guessed. The same event told by several articles (the same or a
compatible date, sentences close in meaning) is one entry citing each of them; every
[n] is a passage like an answer's citation.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from rag.answer.base import Citation
from rag.answer.question import too_long
from rag.text.sentences import sentence_spans
from rag.retrieve.filters import Filters
from rag.time.mentions import describe, find_dates

# How many passages, which of them, and when two tellings are one event: `settings.time`.
_CONTEXT_WORDS = 8


@dataclass
class Event:
    date: str | None  # "2021-12"; None: undated
    shown: str  # "December 2021", "4 March 2024 (article date)", "undated"
    dated_by: str  # "event" (the text says), "article" (its publication date), "undated"
    text: str  # the sentence, verbatim
    citations: list[int] = field(default_factory=list)  # [n] of the passages telling it


@dataclass
class Timeline:
    topic: str
    events: list[Event]  # dated ones oldest first, then the undated
    citations: list[Citation]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Told:
    """One sentence telling an event, where it was read."""
    event: Event
    citation: Citation
    span: tuple[int, int]  # within the citation's passage
    clause: str  # the words around its date, compared to tell whether two tell one event
    vector: np.ndarray = field(default_factory=lambda: np.zeros(0))  # of the clause, once embedded


def build_timeline(pipeline, topic: str, since: str | None = None, until: str | None = None,
                   sources: tuple[str, ...] = (), as_of: str | None = None) -> Timeline:
    """`since`/`until` bound the events' dates (the undated are then left out); `sources`
    and `as_of` narrow the articles searched."""
    if refused := too_long(topic, "a timeline topic", pipeline.settings.ui.max_text_chars):
        raise ValueError(refused)
    topic = topic.strip()
    if not topic:
        raise ValueError("the topic is empty")
    tuned = pipeline.settings.time
    passages = pipeline.search(topic, tuned.timeline_passages, Filters(sources=tuple(sources), as_of=as_of))
    floor = tuned.timeline_relevant * max((p.score or 0.0 for p in passages), default=0.0)
    passages = [p for p in passages if (p.score or 0.0) >= floor]
    told = [t for p in passages for t in _events_in(p.node)]
    told = [t for t in _distinct(told) if _within(t.event, since, until)]
    if told:
        vectors = pipeline.embed_model.get_text_embedding_batch([t.clause for t in told])
        for t, vector in zip(told, vectors):
            t.vector = np.asarray(vector)
    return _numbered(topic, _merged(told, tuned.same_event))


def _events_in(node) -> list[_Told]:
    meta, text = node.metadata, node.get_content()
    published = meta.get("published_at")
    citation = Citation(n=0, doc_id=meta.get("doc_id", node.ref_doc_id or ""),
                        title=meta.get("title", ""), text=text, start=node.start_char_idx or 0,
                        end=node.end_char_idx or 0, metadata=dict(meta))
    mentions = find_dates(text, published)
    found = []
    for index, (start, end) in enumerate(sentence_spans(text)):
        sentence = text[start:end]
        inside = [m for m in mentions if start <= m.start and m.end <= end]
        resolved = [(value, m) for m in inside if (value := m.value)]
        clause = sentence
        if resolved:
            value, first = resolved[0]
            event = Event(value, describe(value, first.precision), "event", sentence)
            clause = _around(text, start, end, first)
        elif inside:  # "in June" in an article without a date: which June is not known
            event = Event(None, "undated", "undated", sentence)
        elif published and meta.get("chunk") == 0 and _is_lead(index, sentence, meta):
            event = Event(published, f"{describe(published, 'day')} (article date)", "article",
                          sentence)
        else:
            continue
        found.append(_Told(event, citation, (start, end), clause))
    return found


def _around(text: str, start: int, end: int, mention) -> str:
    """The words of the sentence near its date: "jihadist insurgents that have been
    fighting it since 2012" of a long sentence that says more."""
    before = text[start:mention.start].split()[-_CONTEXT_WORDS:]
    after = text[mention.end:end].split()[:_CONTEXT_WORDS // 2]
    return " ".join([*before, mention.text, *after])


def _is_lead(index: int, sentence: str, meta: dict) -> bool:
    """The article's first sentence after its title line: what a news article reports."""
    title = " ".join(str(meta.get("title", "")).split()).lstrip("# ")
    return index <= 1 and " ".join(sentence.split()).lstrip("# ") != title


def _distinct(told: list[_Told]) -> list[_Told]:
    """Each sentence once: overlapping chunks of one article repeat some."""
    seen, kept = set(), []
    for t in told:
        key = (t.citation.doc_id, t.citation.start + t.span[0])
        if key not in seen:
            seen.add(key)
            kept.append(t)
    return kept


def _within(event: Event, since: str | None, until: str | None) -> bool:
    if not (since or until):
        return True
    if event.date is None:
        return False
    # "2021-12" is within until 2021-12-31 and since 2021-12-01: compare the same prefix.
    return (not since or event.date >= since[:len(event.date)]) and \
        (not until or event.date <= until[:len(event.date)])


def _compatible(a: str | None, b: str | None) -> bool:
    """The same date, or one a more precise form of the other ("2021", "2021-12")."""
    if a is None or b is None:
        return a is b
    return a.startswith(b) or b.startswith(a)


def _merged(told: list[_Told], same_event: float) -> list[list[_Told]]:
    """Tellings grouped into events: another article's sentence on a compatible date and
    close in meaning joins the first group it fits."""
    groups: list[list[_Told]] = []
    for t in told:
        for group in groups:
            first = group[0]
            if (_compatible(first.event.date, t.event.date)
                    and all(g.citation.doc_id != t.citation.doc_id for g in group)
                    and float(np.dot(first.vector, t.vector)) >= same_event):
                group.append(t)
                break
        else:
            groups.append([t])
    return groups


def _numbered(topic: str, groups: list[list[_Told]]) -> Timeline:
    """Events in time order, each quoted and dated as its best-ranked telling has it,
    passages numbered [n] in the order they are first cited, their quoted sentences
    highlighted."""
    groups.sort(key=lambda g: (g[0].event.date is None, g[0].event.date or "",
                               str(g[0].citation.metadata.get("published_at", ""))))
    citations: dict[tuple[str, int], Citation] = {}
    events = []
    for group in groups:
        event = group[0].event
        for t in group:
            key = (t.citation.doc_id, t.citation.start)
            citation = citations.setdefault(key, t.citation)
            citation.n = citation.n or len(citations)
            if t.span not in citation.highlights:
                citation.highlights.append(t.span)
            if citation.n not in event.citations:
                event.citations.append(citation.n)
        events.append(event)
    return Timeline(topic, events, sorted(citations.values(), key=lambda c: c.n))


def chart(timeline: Timeline):
    """A matplotlib bar chart of the dated events per year."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    years = [int(e.date[:4]) for e in timeline.events if e.date]
    figure = Figure(figsize=(7, 2.6), tight_layout=True)
    axes = figure.subplots()
    if years:
        span = range(min(years), max(years) + 1)
        axes.bar(list(span), [years.count(y) for y in span], color="#2563eb")
        axes.set_xticks(list(span), [str(y) for y in span], rotation=45 if len(span) > 8 else 0)
    # Plain text, never mathtext or TeX: a topic's "$5 and $10" is not a formula, and one
    # holding "$\fakecmd{$" would stop the chart being drawn at all.
    axes.set_ylabel("events", parse_math=False, usetex=False)
    axes.set_title(f"Dated events: {timeline.topic}", fontsize=10, parse_math=False, usetex=False)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def as_text(timeline: Timeline, where: Callable[[dict], str]) -> str:
    """The timeline for a terminal: one event a line, then its sources (`where`: a
    passage's date and source, as `rag ask` shows them)."""
    if not timeline.events:
        return f"No dated events about {timeline.topic!r} in the corpus."
    width = max(len(e.shown) for e in timeline.events)
    lines = [f"Timeline: {timeline.topic} ({len(timeline.events)} events, oldest first)"]
    for event in timeline.events:
        marks = "".join(f"[{n}]" for n in event.citations)
        lines.append(f"{event.shown:<{width}}  {' '.join(event.text.split())} {marks}")
    lines += ["", "Sources:"]
    for c in timeline.citations:
        known = f"{where(c.metadata)}, " if where(c.metadata) else ""
        lines.append(f"[{c.n}] {c.doc_id} — {c.title} ({known}chars {c.start}-{c.end})")
    return "\n".join(lines)
