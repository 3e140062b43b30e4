"""Date and source filters on retrieval, and the preference for newer documents that
"latest" questions get.

Filters go inside the search on both sides, Chroma's `where` and a mask on the BM25
scores, so a filtered search ranks the matching passages exactly as well as an
unfiltered one would (never "best 5, then drop those that do not match").
"""

import re
from dataclasses import dataclass

from rag.time.as_of import check_as_of
from rag.time.days import day_number, iso_date

_RECENT = re.compile(
    r"\b(latest|most recent(ly)?|newest|recent(ly)?|now|currently|current|today|these days|"
    r"at the moment|as of|so far|still)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Filters:
    since: str | None = None  # ISO dates, both ends included
    until: str | None = None
    sources: tuple[str, ...] = ()
    # The date the question is asked as of: documents published after it are left out
    # (rag/time/as_of.py turns "this week" into a preference counted back from it).
    as_of: str | None = None

    def __post_init__(self) -> None:
        # Checked here, not only in `parse`: eval cases and the timeline build Filters directly.
        if self.as_of:
            check_as_of(self.as_of)

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.as_of)

    @classmethod
    def parse(cls, since: str | None = None, until: str | None = None,
              sources: list[str] | tuple[str, ...] = (), as_of: str | None = None) -> "Filters":
        """From what a user typed; a date that cannot be read is a ValueError saying which."""
        dates = {}
        for name, value in (("since", since), ("until", until), ("as of", as_of)):
            if value and str(value).strip():
                if (day := iso_date(str(value))) is None:
                    raise ValueError(f"{name}: {value!r} is not a date (use YYYY-MM-DD)")
                dates[name] = day
        if dates.get("since") and dates.get("until") and dates["since"] > dates["until"]:
            raise ValueError(f"since {dates['since']} is after until {dates['until']}")
        names = tuple(dict.fromkeys(s.strip() for s in sources or () if s and s.strip()))
        return cls(since=dates.get("since"), until=dates.get("until"), sources=names,
                   as_of=dates.get("as of"))

    def where(self) -> dict | None:
        """The Chroma `where` clause; documents without a date never match a date filter."""
        clauses: list[dict] = []
        if self.since:
            clauses.append({"published_day": {"$gte": day_number(self.since)}})
        if self.until:
            clauses.append({"published_day": {"$lte": day_number(self.until)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.as_of:  # undated documents stay unless their text is later (rag/ingest/load.py)
            clauses.append({"published_min_day": {"$lte": day_number(self.as_of)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def describe(self) -> str:
        parts = []
        if self.since or self.until:
            parts.append(f"dated {self.since or '…'} to {self.until or '…'}")
        if self.sources:
            parts.append("from " + ", ".join(self.sources))
        if self.as_of:
            parts.append(f"published by {self.as_of}")
        return "; ".join(parts)


def resolve_sources(asked: list[str] | tuple[str, ...], known: list[str]) -> list[str]:
    """The indexed source names a user meant: exact names, or a case-insensitive match of
    the whole name or a part of it ("bbc" → "BBC News")."""
    resolved = []
    for name in asked:
        wanted = name.strip().casefold()
        exact = [k for k in known if k.casefold() == wanted]
        found = exact or [k for k in known if wanted and wanted in k.casefold()]
        if not found:
            listing = ", ".join(known) if known else "no document has a source yet"
            raise ValueError(f"source: no source matches {name!r} (known: {listing})")
        resolved += found
    return list(dict.fromkeys(resolved))


def wants_recent(question: str) -> bool:
    return bool(_RECENT.search(question))


def prefer_recent(scores: dict[str, float], days: dict[str, int], bonus: float) -> dict[str, float]:
    """`scores` with a bonus growing with each candidate's date rank (newest: the full
    `bonus`, oldest and undated: none): enough to order passages that match about equally
    well, not to lift a poor match."""
    distinct = sorted({day for day in days.values() if day})
    if not distinct:
        return scores
    rank = {day: (i / (len(distinct) - 1) if len(distinct) > 1 else 1.0)
            for i, day in enumerate(distinct)}
    return {i: s + bonus * rank.get(days.get(i, 0), 0.0) for i, s in scores.items()}
