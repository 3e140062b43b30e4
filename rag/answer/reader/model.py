"""The reader: our span extractor (models/reader/, trained by `make train-reader`), on onnxruntime.

Given a question and a few windows of passages it returns, per window, the best answer span
and how much that span beats the window's "no answer" reading (the [CLS] piece, as SQuAD 2.0
models do). The model file is checked against its recorded sha256 before it is loaded.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import onnxruntime

from rag.index.errors import IndexUnavailable
from rag.answer.reader.encode import encode, tokenizer

READER_DIR = Path(__file__).resolve().parents[3] / "models" / "reader"
MAX_ANSWER_PIECES = 30


class ReaderUnavailable(IndexUnavailable):
    """One line: why the reader cannot load (shown wherever an unusable index is)."""


@dataclass(frozen=True)
class Span:
    start: int  # character offsets within the window text
    end: int
    text: str
    margin: float  # best span's logit sum minus the no-answer one: > 0 reads as an answer


def _checked(directory: Path) -> Path:
    model, recorded = directory / "reader.onnx", directory / "reader.onnx.sha256"
    if not model.is_file() or not recorded.is_file():
        raise ReaderUnavailable(f"no reader model in {directory} (reader.onnx and reader.onnx.sha256): "
                                "set RAG_ANSWER__READER__DIR to its folder, or RAG_ANSWER__READER__ENABLED=false")
    expected = recorded.read_text().split()[0]
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    if digest != expected:
        raise ReaderUnavailable(f"{model} does not match its recorded sha256 ({digest[:12]}… ≠ {expected[:12]}…): "
                                "restore it with `git checkout models/reader` or retrain with `make train-reader`")
    return model


class Reader:
    def __init__(self, directory: Path = READER_DIR, threads: int | None = None) -> None:
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(str(_checked(directory)), options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizer(directory / "tokenizer.json")

    def read(self, question: str, windows: list[str]) -> list[Span | None]:
        """Per window its best span, or None when nothing in it can be an answer."""
        return [found[0] if found else None for found in self.spans(question, windows, 1)]

    def spans(self, question: str, windows: list[str], count: int = 3) -> list[list[Span]]:
        """Per window its best `count` spans that share no word piece, surest first, all
        windows in one ONNX call: a question asking for a number can take the best span
        that holds one (rag/answer/reading.py)."""
        if not windows:
            return []
        batch = encode(self.tokenizer, question, windows)
        start, end = self.session.run(None, {"input_ids": batch.ids, "token_type_ids": batch.types,
                                             "attention_mask": batch.mask})
        found: list[list[Span]] = []
        for row, text in enumerate(windows):
            context = np.flatnonzero(batch.context[row])
            found.append(_best_spans(start[row], end[row], context, batch.offsets[row], text, count)
                         if len(context) else [])
        return found


def _best_spans(start: np.ndarray, end: np.ndarray, context: np.ndarray,
                offsets: list[tuple[int, int]], text: str, count: int) -> list[Span]:
    """The `count` best non-overlapping spans of one window, by start + end logit."""
    s, e = start[context], end[context]
    pair = s[:, None] + e[None, :]
    gap = context[None, :] - context[:, None]
    pair = np.where((gap >= 0) & (gap < MAX_ANSWER_PIECES), pair, -np.inf)
    none = float(start[0] + end[0])  # the [CLS] piece: "no answer"
    flat = pair.ravel()
    # The best few hundred pairs hold the best few non-overlapping spans.
    top = min(len(flat), 64 * count)
    order = np.argpartition(-flat, top - 1)[:top]
    order = order[np.argsort(-flat[order], kind="stable")]
    taken: list[tuple[int, int]] = []
    spans: list[Span] = []
    for flat_at in order:
        if len(spans) == count or not np.isfinite(flat[flat_at]):
            break
        a, b = divmod(int(flat_at), pair.shape[1])
        if any(a <= y and x <= b for x, y in taken):
            continue
        taken.append((a, b))
        first, last = offsets[context[a]][0], offsets[context[b]][1]
        spans.append(Span(first, last, text[first:last], float(flat[flat_at]) - none))
    return spans


@lru_cache(maxsize=2)
def shared_reader(directory: Path = READER_DIR, threads: int | None = None) -> Reader:
    """One loaded model per process: the CLI, the chat and the evals share it."""
    return Reader(directory, threads)
