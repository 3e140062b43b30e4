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
# Everything after one of these headings is a list of other stories.
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


def clean_text(text: str) -> str:
    """Article text with boilerplate lines removed and markup debris split into lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _BROKEN_TAG.sub("\n", text)
    kept: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if _TRAILER.match(line):
            break
        if not line or _FURNITURE.match(line) or _SHOUTED_FOLLOW.match(line):
            continue
        if _ONLY_PUNCTUATION.match(line):
            continue
        line = _BULLET.sub("", line)
        if kept and kept[-1] == line:
            continue
        kept.append(line)
    return "\n".join(kept)
