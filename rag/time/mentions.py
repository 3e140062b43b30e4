"""The dates sentences mention ("in December 2021", "last month", "on Monday"), resolved
against the article's publication date by dateparser.

A short pattern finds where a date is written; dateparser says which date it is and how
precise (day, week, month, year). A relative expression ("on Monday", "in April") in an
article without a publication date cannot be resolved: it is kept as a mention with no
date, never given one. Values are ISO prefixes that sort in time order: "2012",
"2021-12", "2024-03-04" (a week is its Monday).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November"
          r"|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?<![\d$€£,.])(?:1[89]|20)\d{2}(?![\d%]|s\b)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUMBER = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
# Longest forms first, so "15 March 2024" is one mention, not a day, a month and a year.
_FORMS = re.compile("|".join([
    rf"\b{_DAY} {_MONTH}(?:,? {_YEAR})?",
    rf"\b{_MONTH} {_DAY}(?:,? {_YEAR})?",
    rf"\b(?:(?i:early|mid|late)[- ])?{_MONTH}(?:,? {_YEAR})?\b",
    rf"\b(?i:early|mid|late)[- ]{_YEAR}",
    rf"\b(?:(?i:last|this|next|on) )?{_WEEKDAY}\b",
    r"(?i:\b(?:yesterday|today)\b)",
    r"(?i:\b(?:last|this|next|past) (?:week|month|year)\b)",
    rf"(?i:\b{_NUMBER} (?:day|week|month|year)s? ago\b)",
    _YEAR,
]))
_HAS_YEAR = re.compile(_YEAR)
_EDGE = re.compile(r"^(?i:early|mid|late)[- ]|^on ", re.IGNORECASE)
_PRECISION = {"day": 10, "week": 10, "month": 7, "year": 4}
# "May" alone is a month only after a word that introduces one ("in May", "since May").
_BEFORE_MAY = re.compile(r"\b(?:in|of|since|by|until|from|through|early|mid|late|last|next|this)\W*$",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    text: str  # as written, e.g. "last month"
    start: int  # offsets in the text searched
    end: int
    value: str | None  # "2024-02", or None when it needs a publication date the article lacks
    precision: str = ""  # day, week, month or year

    @property
    def absolute(self) -> bool:
        """Whether the text itself says the year (so no publication date was needed)."""
        return bool(_HAS_YEAR.search(self.text))


def find_dates(text: str, published_at: str | None = None) -> list[Mention]:
    """Every date `text` mentions, in order, resolved against `published_at` (ISO) when
    the expression is relative; a relative one without it has value None."""
    base = date.fromisoformat(published_at) if published_at else None
    found = []
    for match in _FORMS.finditer(text):
        written = match.group(0)
        if written == "May" and not _BEFORE_MAY.search(text[max(0, match.start() - 12):match.start()]):
            continue
        if not _HAS_YEAR.search(written) and base is None:
            found.append(Mention(written, match.start(), match.end(), None))
            continue
        if resolved := _resolve(_EDGE.sub("", written), base):
            found.append(Mention(written, match.start(), match.end(), *resolved))
    return found


@lru_cache(maxsize=4096)
def _resolve(written: str, base: date | None) -> tuple[str, str] | None:
    relative_base = datetime.combine(base or date(2000, 1, 1), datetime.min.time())
    parsed = _parser(relative_base).get_date_data(written)
    if parsed.date_obj is None or parsed.period not in _PRECISION:
        return None
    day = parsed.date_obj.date()
    if base and written == base.strftime("%A"):  # "said on Wednesday" in Wednesday's paper
        day = base
    if parsed.period == "week":
        day -= timedelta(days=day.weekday())
    return day.isoformat()[:_PRECISION[parsed.period]], parsed.period


@lru_cache(maxsize=64)
def _parser(relative_base: datetime) -> DateDataParser:
    # News reports what happened: "in April" in a March article is last April.
    return DateDataParser(languages=["en"], settings={
        "RELATIVE_BASE": relative_base, "PREFER_DATES_FROM": "past",
        "RETURN_TIME_AS_PERIOD": True, "REQUIRE_PARTS": []})


def joined(mentions: list[Mention]) -> str:
    """The distinct resolved dates, sorted and comma-joined: "2012,2020,2021-12" (Chroma
    metadata holds scalars only)."""
    return ",".join(sorted({m.value for m in mentions if m.value}))


def published_after(mentions: list[Mention]) -> str | None:
    """For an article without a publication date: the latest date its text states (to
    the month), a lower bound for when it was written, e.g. "2021-12"."""
    stated = [m.value[:7] for m in mentions if m.value and m.absolute]
    return max(stated, default=None)


def describe(value: str, precision: str) -> str:
    """"4 March 2024", "week of 26 February 2024", "December 2021", "2012"."""
    if precision == "year" or len(value) == 4:
        return value
    if len(value) == 7:
        return date.fromisoformat(value + "-01").strftime("%B %Y")
    day = date.fromisoformat(value)
    shown = f"{day.day} {day.strftime('%B %Y')}"
    return f"week of {shown}" if precision == "week" else shown
