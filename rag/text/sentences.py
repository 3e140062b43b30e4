"""Sentences as (start, end) offsets into the text they come from, so a quote or a
highlight is always the text itself. The rules are those every index was built with:
other boundaries (NLTK's punkt, say) would re-chunk every document and change the
sentence vectors stored at ingest, so a change here is a CHUNKER_VERSION bump, measured.
"""

import re

# Ends of sentences: terminal punctuation, optional closing quotes/brackets, then space
# and something that can start a sentence.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# Abbreviations that end in a period without ending the sentence.
_ABBREVIATIONS = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Col|Gen|Lt|Sgt|Capt|Maj|Rep|Sen|Gov|St|Jr|Sr|No|vs|etc|Inc|Ltd|Co"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|[A-Z])\.$"
)


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a line break always ends a sentence (headings, bullets)."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        start = line_start
        for match in _SENTENCE_END.finditer(line):
            if _ABBREVIATIONS.search(line[: match.start() + 1]):
                continue
            if line[start - line_start : match.start()].strip():
                spans.append(_stripped(text, start, line_start + match.end()))
            start = line_start + match.end()
        if line[start - line_start :].strip():
            spans.append(_stripped(text, start, line_start + len(line)))
        line_start += len(line) + 1
    return [(s + offset, e + offset) for s, e in spans]


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
