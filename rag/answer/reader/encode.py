"""What the reader sees: a question and a window of a passage, encoded exactly as in training.

A window is a sentence with its neighbours (`window`), so the question and the window fit in
`MAX_PIECES` word pieces: training cost grows with the window, and the answerer already knows
which sentences are worth reading.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

MAX_PIECES = 128
BUCKETS = (64, 96, 128)  # padded lengths: a few fixed shapes, so a compiled step is reused


def tokenizer(path: Path) -> Tokenizer:
    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(MAX_PIECES, strategy="longest_first")
    tok.no_padding()
    return tok


def window(spans: list[tuple[int, int]], at: int, before: int = 1, after: int = 1) -> tuple[int, int]:
    """Character range of sentence `at` with `before` sentences before it and `after` after it."""
    first, last = max(at - before, 0), min(at + after, len(spans) - 1)
    return spans[first][0], spans[last][1]


@dataclass
class Batch:
    ids: np.ndarray  # int64 [n, length]
    types: np.ndarray
    mask: np.ndarray
    offsets: list[list[tuple[int, int]]]  # per token, characters within its window text
    context: np.ndarray  # bool [n, length]: the token is a piece of the window text


def encode(tok: Tokenizer, question: str, texts: list[str]) -> Batch:
    encodings = tok.encode_batch([(question, text) for text in texts])
    longest = max(len(e.ids) for e in encodings)
    length = next((b for b in BUCKETS if b >= longest), longest)
    n = len(encodings)
    ids, types, mask = (np.zeros((n, length), np.int64) for _ in range(3))
    context = np.zeros((n, length), bool)
    offsets = []
    for row, e in enumerate(encodings):
        size = len(e.ids)
        ids[row, :size], types[row, :size], mask[row, :size] = e.ids, e.type_ids, 1
        context[row, :size] = [t == 1 and not s for t, s in zip(e.type_ids, e.special_tokens_mask)]
        offsets.append(e.offsets)
    return Batch(ids, types, mask, offsets, context)
