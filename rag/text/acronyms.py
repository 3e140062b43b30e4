"""Acronyms written with dots: "U.S." is "US", "e.g." is "eg", to every reader of text."""

import re

# Single letters each followed by a dot, at least two of them.
_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}")


def undotted(text: str) -> str:
    """`text` with every dotted acronym written without its dots."""
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
