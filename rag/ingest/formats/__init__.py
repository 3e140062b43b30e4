"""Readers for the file formats a corpus may hold, one module per format.

Each reader turns one file into an `Extracted`: the text to index, its title, and
the metadata the file itself states (publication date, author, site, URL). A file
that holds no text to index raises ValueError with the reason, shown to the user.
"""

from dataclasses import dataclass, field


@dataclass
class Extracted:
    text: str
    title: str | None = None
    metadata: dict = field(default_factory=dict)
    # Offsets in `text` where each PDF page starts, so chunks know their page.
    page_starts: list[int] | None = None


def tidy_lines(text: str) -> str:
    """Whitespace collapsed within lines, blank lines dropped: what every reader indexes."""
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
