"""The date and source every document should carry, from whatever fields its file gave.

Files name these differently (a JSONL `date`, front matter `published`, a page's site
name); documents carry them as `published_at` (ISO date) and `source`, plus
`published_day` (20250304), which is what date filters compare.
"""

from urllib.parse import urlparse

from rag.time.as_of import age_at
from rag.time.days import day_number, iso_date

_DATE_KEYS = ("published_at", "date", "published", "pubdate", "publication_date", "date_published")
_SOURCE_KEYS = ("source", "publisher", "site_name", "sitename", "site")


def dated_and_sourced(fields: dict) -> dict:
    """`fields` with `published_at`, `published_day` and `source` added when they can be told."""
    out = dict(fields)
    for key in _DATE_KEYS:
        if (day := iso_date(fields.get(key))) is not None:
            out["published_at"], out["published_day"] = day, day_number(day)
            break
    source = next((str(fields[k]).strip() for k in _SOURCE_KEYS
                   if isinstance(fields.get(k), str) and fields[k].strip()), None)
    if source is None and isinstance(fields.get("url"), str):
        host = urlparse(fields["url"]).hostname or ""
        source = host.removeprefix("www.") or None
    if source:
        out["source"] = source
    return out


def provenance(metadata: dict, as_of: str | None = None) -> list[str]:
    """["2025-03-04", "Reuters", "p. 4", "3 days old"]: the date (or "after 2021-12", the
    latest date an undated text states), source and pages a passage is known by, and how
    old it was `as_of`."""
    page = f"p. {metadata['page']}" if metadata.get("page") else None
    published = metadata.get("published_at")
    dated = published or (f"after {metadata['published_after']}" if metadata.get("published_after") else None)
    age = age_at(str(published), as_of) if published and as_of else None
    return [str(p) for p in (dated, metadata.get("source"), page, age) if p]
