"""Checks answers the `/chat` API gave (rag/app/ui/render.py `answer_text`) against the index
they came from and against eval cases (`facts`, `sources`, `abstain`).

A citation resolves when its [n] marker is listed under "Sources:" with a document id
the index holds and every quoted sentence occurs in one of that document's chunks.
"""

import re
from dataclasses import dataclass

# "[n] Title (doc_id, date, ...)" then the quoted sentences on an indented line.
_SOURCE = re.compile(r"^\[(\d+)\] (.*\))\n    “(.*)”$", re.M)
_MARKER = re.compile(r"\[(\d+)\]")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _doc_id(heading: str) -> str:
    """The document id from "Title (doc_id, date, ...)": the first detail inside the last
    balanced parentheses (titles and ids may hold parentheses: "Sky (UK) (Sky_(UK)#p1)")."""
    depth = 0
    for at in range(len(heading) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(heading[at], 0)
        if depth == 0:
            return heading[at + 1:-1].split(", ")[0]
    return ""


@dataclass
class Verdict:
    cited: bool  # the answer carries [n] markers
    resolved: bool  # every marker resolves to an indexed passage (True when none)
    correct: bool | None  # holds a gold fact, or abstains where it should; None: no facts
    gold_cited: bool  # a cited document is one of the case's sources


class IndexPassages:
    """The chunks of a Chroma collection by document id, whitespace flattened, read once."""

    def __init__(self, collection) -> None:
        self.chunks: dict[str, list[str]] = {}
        offset = 0
        while True:  # paged: a server caps how much one get() returns
            got = collection.get(include=["documents", "metadatas"], limit=5000, offset=offset)
            for text, meta in zip(got["documents"], got["metadatas"]):
                self.chunks.setdefault(meta["doc_id"], []).append(_flat(text))
            if len(got["ids"]) < 5000:
                break
            offset += 5000

    def holds(self, doc_id: str, quote: str) -> bool:
        pieces = [p for p in quote.split(" … ") if p]
        return bool(pieces) and all(any(p in chunk for chunk in self.chunks.get(doc_id, []))
                                    for p in pieces)


def check(answer: str, case: dict, passages: IndexPassages) -> Verdict:
    body, _, listed = answer.partition("\nSources:\n")
    sources = {int(n): (_doc_id(heading), quote) for n, heading, quote in _SOURCE.findall(listed)}
    markers = {int(n) for n in _MARKER.findall(body)}
    resolved = all(n in sources and passages.holds(*sources[n]) for n in markers)
    if case.get("abstain"):
        correct: bool | None = not markers
    elif case.get("facts"):
        flat = _flat(body).casefold()
        correct = bool(markers) and all(any(_flat(alt).casefold() in flat for alt in group)
                                        for group in case["facts"])
    else:
        correct = None
    cited_docs = {sources[n][0] for n in markers if n in sources}
    return Verdict(bool(markers), resolved, correct, bool(cited_docs & set(case.get("sources", []))))
