"""Strip web boilerplate from article text before it is chunked.

Scraped news pages carry ad markers, share prompts, "recommended" link lists and
the debris of broken table markup. None of it is article content, and all of it
would otherwise be retrieved and cited as if it were.
"""

import re

# A whole line that is one of these is page furniture, never article text.
_FURNITURE = re.compile(
    r"""^(
        advertisement | advertisements | sponsored(\ content)? |
        leave\ a\ (reply|comment) | share\ this(\ article)? |
        unblock\ notifications.* | follow\ [A-Z\s]+ |
        (sign\ up|subscribe)\ (to|for)\ (our|the)\ newsletter.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# "FOLLOW BUSINESS INSIDER AFRICA": an all-caps call to action.
_SHOUTED_FOLLOW = re.compile(r"^FOLLOW [A-Z][A-Z\s&]+$")
# A heading that starts a list of other stories, when the list ends the document.
_TRAILER = re.compile(
    r"^(recommended|related|more|popular|trending|latest)( articles| stories| news| reads)?:?$"
    r"|^(read|see) (more|also):?$|^you (may|might) also like:?$",
    re.IGNORECASE,
)
# Table/list tags that lost their angle brackets' partners: "< td >", "td >", "li >".
_BROKEN_TAG = re.compile(
    r"<\s*/?\s*(?:td|tr|th|li|ul|ol|table|tbody|thead|div|span|p|br)\s*/?\s*>"
    r"|\b(?:td|tr|th|li|ul|ol|tbody|thead)\s*>",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[\s•·▪●◦\-–—*]+(?=\S)")
_ONLY_PUNCTUATION = re.compile(r"^[\W_]+$")


# A trailing list of other stories is cut only if it is this short, and every line of it
# is a headline (no full stop, not long) or a short line such as a credit.
_TRAILER_MAX_LINES = 60
_HEADLINE_MAX_CHARS = 160
_SHORT_LINE_CHARS = 60
# Cleaning that removes more than this share of a document's text is reported.
NOTABLE_SHARE = 0.2


def clean_text(text: str) -> str:
    """Article text with boilerplate lines removed and markup debris split into lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _BROKEN_TAG.sub("\n", text)
    kept: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line or _FURNITURE.match(line) or _SHOUTED_FOLLOW.match(line):
            continue
        if _ONLY_PUNCTUATION.match(line):
            continue
        line = _BULLET.sub("", line)
        if kept and kept[-1] == line:
            continue
        kept.append(line)
    return "\n".join(kept[: _trailer_start(kept)])


def _trailer_start(lines: list[str]) -> int:
    """Where a trailing "Related stories"-style list begins, or len(lines) if there is none.
    A heading mid-article followed by more article text cuts nothing."""
    start = len(lines)
    for i in range(len(lines) - 1, max(-1, len(lines) - 2 - _TRAILER_MAX_LINES), -1):
        if _TRAILER.match(lines[i]):
            start = i
        elif not _listed(lines[i]):
            break
    return start


def _listed(line: str) -> bool:
    """A line that may belong to a list of links: a headline, or a short credit line."""
    headline = len(line) <= _HEADLINE_MAX_CHARS and not line.endswith((".", "!", ";", ","))
    return headline or len(line) <= _SHORT_LINE_CHARS


def cleaning_note(raw: str, cleaned: str) -> str | None:
    """A warning for the ingest report when cleaning removed a notable share of the text."""
    before, after = len("".join(raw.split())), len("".join(cleaned.split()))
    removed = 1 - after / before if before else 0.0
    if removed <= NOTABLE_SHARE:
        return None
    return (f"cleaning removed {removed:.0%} of the text as page boilerplate "
            f"({after:,} of {before:,} characters kept)")
