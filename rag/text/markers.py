"""Citation markers: `[n]`, the one spelling answers carry, and the repair of the other
spellings models write ("[Source 1]", "【1】", "(1)", "[1, 2]")."""

import re

MARKER = re.compile(r"\[(\d+)\]")
# A marker with the space before it, as answers write it: "... in 2021 [1]".
SPACED_MARKER = re.compile(r"\s*\[(\d+)\]")
# "[", "[Sou": a marker still being written at the end of streamed text.
HALF_MARKER = re.compile(r"\s*[\[【〔][^\]】〕]*$")

# Marker spellings small models use, all turned into "[n]" (or "[n][m]").
_FORMS = [
    re.compile(r"\[\s*(?:sources?|src|passages?|documents?|doc|ref)\.?\s*(\d+(?:\s*(?:,|and|&)\s*\d+)*)\s*\]", re.I),
    re.compile(r"[【〔]\s*(\d+(?:\s*,\s*\d+)*)\s*[】〕]"),
    re.compile(r"\[\^?\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]"),
    re.compile(r"\((?:sources?\s*)?(\d{1,2}(?:\s*,\s*\d{1,2})*)\)", re.I),
    re.compile(r"\(\s*(?:sources?|passages?)\s*(\d+(?:\s*(?:,|and|&)\s*\d+)*)\s*\)", re.I),
]
# Markers after the full stop ("Done. [1]") belong to the sentence before it.
_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+\])+)")


def repair_markers(text: str, n_passages: int) -> str:
    """Every citation spelled as "[n]", each n a given passage; others removed."""
    def canonical(match: re.Match) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
        return "".join(f"[{n}]" for n in dict.fromkeys(numbers))

    for form in _FORMS:
        text = form.sub(canonical, text)
    text = MARKER.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= n_passages else "", text)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", text)


def move_markers(text: str) -> str:
    """Markers written after a full stop moved before it, into their sentence."""
    return _AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", text)
