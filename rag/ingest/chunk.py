"""Split cleaned documents into sentence-aligned, token-bounded chunks with exact offsets.

Every chunk's text is `document.text[start:end]`, so a citation can always point at
the exact passage it came from.
"""

import json
from functools import lru_cache

import tiktoken
from llama_index.core.schema import Document, NodeRelationship, RelatedNodeInfo, TextNode

from rag.ingest.formats.pdf import page_at
from rag.time.mentions import Mention, find_dates, joined
from rag.text.sentences import sentence_spans

# Bump when chunking changes in a way that should re-index every document.
CHUNKER_VERSION = 2  # 2: chunks carry the dates their sentences mention


def recipe(max_tokens: int, overlap_tokens: int) -> str:
    return f"chunker{CHUNKER_VERSION}:{max_tokens}:{overlap_tokens}"


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def chunk_document(doc: Document, max_tokens: int, overlap_tokens: int) -> list[TextNode]:
    """Pack whole sentences into chunks of at most `max_tokens`, repeating up to
    `overlap_tokens` of trailing sentences at the start of the next chunk. A PDF's
    chunks never span two pages, so each cites exactly one."""
    sentences = [span for s in sentence_spans(doc.text) for span in _fit(doc.text, s, max_tokens)]
    sizes = [count_tokens(doc.text[s:e]) for s, e in sentences]
    page_starts = json.loads(doc.metadata.get("page_starts", "[]"))
    pages = [page_at(page_starts, s) if page_starts else 0 for s, _ in sentences]
    windows: list[tuple[int, int]] = []  # sentence index ranges [first, last)
    first = 0
    while first < len(sentences):
        last, total = first, 0
        while last < len(sentences) and (last == first or total + sizes[last] <= max_tokens
                                         and pages[last] == pages[first]):
            total += sizes[last]
            last += 1
        # Joining sentences can add a token or two at the seams: check the real text.
        while last - first > 1 and count_tokens(doc.text[sentences[first][0]:sentences[last - 1][1]]) > max_tokens:
            last -= 1
        windows.append((first, last))
        if last == len(sentences):
            break
        back, carried = last, 0
        while (back - 1 > first and carried + sizes[back - 1] <= overlap_tokens
               and pages[back - 1] == pages[last]):
            back -= 1
            carried += sizes[back]
        first = back
    mentions = find_dates(doc.text, doc.metadata.get("published_at"))
    return [_node(doc, sentences[a][0], sentences[b - 1][1], i, len(windows), mentions)
            for i, (a, b) in enumerate(windows)]


def _fit(text: str, span: tuple[int, int], max_tokens: int) -> list[tuple[int, int]]:
    """A sentence longer than a chunk is cut into token windows (rare: tables, lists)."""
    start, end = span
    tokens = _encoding().encode(text[start:end], disallowed_special=())
    if len(tokens) <= max_tokens:
        return [span]
    pieces, cursor = [], start
    for i in range(0, len(tokens), max_tokens):
        piece = _encoding().decode(tokens[i : i + max_tokens])
        at = text.find(piece, cursor)
        if at < 0:  # a multi-byte character split across windows: cut by characters
            at, piece = cursor, text[cursor : cursor + len(piece)]
        pieces.append((at, min(at + len(piece), end)))
        cursor = at + len(piece)
    return [(s, e) for s, e in pieces if e > s]


def _node(doc: Document, start: int, end: int, index: int, total: int,
          mentions: list[Mention]) -> TextNode:
    # Resolved against the article's date: "last month" in March 2024 is "2024-02".
    dates = joined([m for m in mentions if start <= m.start and m.end <= end])
    metadata = {**doc.metadata, "chunk": index, "n_chunks": total, "event_dates": dates}
    if (pages := metadata.pop("page_starts", None)) is not None:
        # A PDF chunk carries its page, not the whole document's page map.
        metadata["page"] = page_at(json.loads(pages), start)
    hidden = [k for k in metadata if k != "title"]
    node = TextNode(
        id_=f"{doc.id_}::{doc.metadata['content_hash'][:12]}::{index}",
        text=doc.text[start:end],
        start_char_idx=start,
        end_char_idx=end,
        metadata=metadata,
        excluded_embed_metadata_keys=hidden,
        excluded_llm_metadata_keys=hidden,
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=doc.id_)
    return node
