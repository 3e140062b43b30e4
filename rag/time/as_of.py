"""Questions asked as of a date: the window a relative expression in the question names
("this week", "last month", "recently"), the preference for documents published in it,
and how old an article was at that date.

The window is a ranking preference, not a filter: an older article can still answer
when nothing from the window does. What the as-of date filters out (documents published
after it) is `Filters.as_of`, applied inside the search.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from rag.time.days import day_number

Window = tuple[date, date]  # both ends included

# The dates a question may be asked as of. Every window below reaches back at most a year
# and a month, so from 1900 on none steps past the first day `date` holds (year 1: an
# OverflowError, "year 0 is out of range"); no news corpus is older.
EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 31)


def check_as_of(iso: str) -> str:
    """`iso` (YYYY-MM-DD) when every window can be counted back from it, else a ValueError
    in one line saying the range."""
    if not EARLIEST <= date.fromisoformat(iso) <= LATEST:
        raise ValueError(f"as of: {iso} is out of range (use a date from {EARLIEST} to {LATEST})")
    return iso


def _this_week(d: date) -> Window:
    return d - timedelta(days=6), d


def _last_week(d: date) -> Window:
    return d - timedelta(days=13), d - timedelta(days=7)


def _this_month(d: date) -> Window:
    return d.replace(day=1), d


def _last_month(d: date) -> Window:
    first = d.replace(day=1) - relativedelta(months=1)
    return first, d.replace(day=1) - timedelta(days=1)


def _this_year(d: date) -> Window:
    return d.replace(month=1, day=1), d


def _last_year(d: date) -> Window:
    return date(d.year - 1, 1, 1), date(d.year - 1, 12, 31)


def _recent(d: date) -> Window:
    return d - timedelta(days=30), d


# The first expression found names the window; more specific ones come first.
_WINDOWS: list[tuple[re.Pattern, Callable[[date], Window]]] = [(re.compile(p, re.IGNORECASE), f) for p, f in [
    (r"\btoday\b|\btonight\b", lambda d: (d, d)),
    (r"\byesterday\b", lambda d: (d - timedelta(days=1), d)),
    (r"\blast week\b|\bprevious week\b", _last_week),
    (r"\bthis week\b|\b(?:the )?past (?:week|seven days|few days)\b|\bthese past days\b", _this_week),
    (r"\blast month\b|\bprevious month\b", _last_month),
    (r"\bthis month\b|\bpast month\b", _this_month),
    (r"\blast year\b", _last_year),
    (r"\bthis year\b|\bso far this year\b", _this_year),
    (r"\b(?:recent(?:ly)?|lately|latest|newest|most recent|now|currently|current|these days|"
     r"at the moment|at present|so far|still)\b", _recent),
]]


def today() -> str:
    return date.today().isoformat()


def question_window(question: str, as_of: str) -> Window | None:
    """The days a question's relative expression names, counted back from `as_of`."""
    for pattern, window in _WINDOWS:
        if pattern.search(question):
            return window(date.fromisoformat(as_of))
    return None


def prefer_window(scores: dict[str, float], days: dict[str, int], window: Window,
                  bonus: float) -> dict[str, float]:
    """`scores` with `bonus` added to each candidate published inside `window` (days:
    published_day numbers, 0 when undated)."""
    low, high = day_number(window[0].isoformat()), day_number(window[1].isoformat())
    return {i: s + (bonus if low <= days.get(i, 0) <= high else 0.0) for i, s in scores.items()}


def heading(as_of: str) -> str:
    """"As of 17 June 2022" for 2022-06-17."""
    day = date.fromisoformat(as_of)
    return f"As of {day.day} {day.strftime('%B %Y')}"


def age_at(published_at: str, as_of: str) -> str:
    """How old an article was at `as_of`: "published that day", "3 days old", "5 weeks
    old", "2 months old", "1 year old"; "published after" a date later than `as_of`."""
    published, then = date.fromisoformat(published_at), date.fromisoformat(as_of)
    if published > then:
        return f"published after {as_of}"
    days = (then - published).days
    span = relativedelta(then, published)
    if days == 0:
        return "published that day"
    count, unit = ((days, "day") if days < 14 else (days // 7, "week") if not (span.years or span.months)
                   else (span.months, "month") if not span.years else (span.years, "year"))
    return f"{count} {unit}{'s' if count > 1 else ''} old"
