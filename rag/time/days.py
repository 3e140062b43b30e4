"""Publication dates in whatever form a file gives them, as ISO dates (YYYY-MM-DD)."""

import re
from datetime import date, datetime

# PDF dates: D:YYYYMMDDHHmmSS with optional parts and zone.
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?")
_WRITTEN = ["%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%d.%m.%Y",
            "%B %Y", "%b %Y"]


def iso_date(value: object) -> str | None:
    """`value` as YYYY-MM-DD, or None when it is not a date we can read unambiguously."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not (text := value.strip()):
        return None
    if match := _PDF_DATE.match(text):
        year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
        text = f"{year}-{month}-{day}"
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    if re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
        return iso_date(text)
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    for pattern in _WRITTEN:
        try:
            return datetime.strptime(cleaned, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def day_number(iso: str) -> int:
    """2025-03-04 as 20250304: Chroma compares numbers, not strings, in its filters."""
    return int(iso.replace("-", ""))
