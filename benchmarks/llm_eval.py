"""The LLM backends on the evals: resumable runs, stored generations, tuned verifier.

A 1.5B model on 2 cores takes 10–25 s a question, so an eval run is an hour and a
lock hold is ten minutes. Each case's result is appended to `OUT/results.jsonl` as soon
as it is scored, and a rerun skips the cases already there. Each generation is stored
by the SHA-256 of (backend, model, messages) when it ends: decoding is greedy, so the
same prompt gives the same text, and `tune` replays the stored generations through the
verifier under a grid of thresholds without running the model again. Timing figures
(first token, full answer) come only from answers whose generations were not replayed.

    python -m benchmarks.llm_eval run CASES.jsonl --index I --backend local --out DIR
    python -m benchmarks.llm_eval summary DIR CASES.jsonl
    python -m benchmarks.llm_eval tune CASES.jsonl:INDEX:DIR ... --backend local
"""

import argparse
import hashlib
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from llama_index.core.base.llms.types import (ChatMessage, ChatResponse, ChatResponseGen,
                                              CompletionResponse, CompletionResponseGen,
                                              LLMMetadata, MessageRole)
from llama_index.core.llms import LLM, CustomLLM
from pydantic import PrivateAttr

from rag.eval.cases import Case, load_cases
from rag.eval.run import run_cases
from rag.eval.score import CaseResult, _percentile, summarize
from rag.pipeline import Pipeline
from rag.settings import Settings

DEFAULT_CACHE = Path("index/llm-generations.sqlite")


class StoredGenerations(CustomLLM):
    """An LLM that answers from stored generations and stores what it had to generate."""

    label: str
    misses: int = 0
    _inner: LLM = PrivateAttr()
    _db: sqlite3.Connection = PrivateAttr()

    def __init__(self, inner: LLM, path: Path, label: str) -> None:
        super().__init__(label=label)
        self._inner = inner
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS generations (key TEXT PRIMARY KEY, text TEXT)")

    @property
    def metadata(self) -> LLMMetadata:
        return self._inner.metadata

    def _key(self, messages: Sequence[ChatMessage]) -> str:
        payload = [self.label] + [[m.role.value, m.content] for m in messages]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        key = self._key(messages)
        row = self._db.execute("SELECT text FROM generations WHERE key = ?", (key,)).fetchone()
        if row is not None:
            yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=row[0]),
                               delta=row[0])
            return
        self.misses += 1
        text = ""
        for response in self._inner.stream_chat(messages, **kwargs):
            text += response.delta or ""
            yield response
        # Only a generation that ended is stored: a failed call raised above.
        self._db.execute("INSERT OR REPLACE INTO generations VALUES (?, ?)", (key, text))
        self._db.commit()

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(r.delta or "" for r in self.stream_chat(messages, **kwargs))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.chat([ChatMessage(role=MessageRole.USER, content=prompt)])
                                  .message.content or "")

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        yield self.complete(prompt)


def pipeline_for(index: str, backend: str, cache: Path) -> tuple[Pipeline, StoredGenerations]:
    settings = Settings(index_dir=Path(index), answer__backend=backend)
    pipeline = Pipeline(settings, create=False)
    answerer = pipeline.answerer
    label = f"{backend}:{answerer.llm.metadata.model_name}"
    answerer.llm = StoredGenerations(answerer.llm, cache, label)
    return pipeline, answerer.llm


def read_results(out: Path) -> list[dict]:
    path = out / "results.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def cmd_run(args: argparse.Namespace) -> None:
    cases = load_cases([Path(f) for f in args.files])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    done = {row["id"] for row in read_results(out)}
    pipeline, stored = pipeline_for(args.index, args.backend, Path(args.cache))
    deadline = time.monotonic() + args.minutes * 60
    with (out / "results.jsonl").open("a") as sink:
        for case in cases:
            if case.id in done:
                continue
            if time.monotonic() > deadline:
                print("stopped at the time limit; rerun to go on", file=sys.stderr)
                break
            misses = stored.misses
            result = run_cases(pipeline, [case], show_progress=False)[0]
            row = {**result.to_dict(), "replayed": stored.misses == misses}
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            sink.flush()
            print(f"{case.id} passed={result.passed} {result.latency_ms / 1000:.1f}s", file=sys.stderr)


def figures(cases: list[Case], rows: list[dict]) -> dict:
    """Quality over the rows of these cases; timing only over rows whose generation ran live."""
    ids = {case.id for case in cases}
    rows = [row for row in rows if row["id"] in ids]
    results = [CaseResult(**{k: v for k, v in row.items() if k != "replayed"}) for row in rows]
    summary = summarize(cases, results)
    live = [row for row in rows if not row.get("replayed")]
    first = [r["first_token_ms"] for r in live if r.get("first_token_ms") is not None]
    full = [r["latency_ms"] for r in live]
    summary.update(timed_cases=len(live),
                   first_token_p50_ms=_percentile(first, 50), first_token_p95_ms=_percentile(first, 95),
                   latency_p50_ms=_percentile(full, 50), latency_p95_ms=_percentile(full, 95))
    return summary


def cmd_summary(args: argparse.Namespace) -> None:
    cases = load_cases([Path(f) for f in args.files])
    summary = figures(cases, read_results(Path(args.out)))
    summary.pop("by_tag")
    print(json.dumps(summary, indent=2))


def cmd_tune(args: argparse.Namespace) -> None:
    """Replay every stored run under each (overlap, cosine) pair; rank by pass rate."""
    sets = []
    for spec in args.runs:
        files, index, out = spec.split(":")
        ids = {row["id"] for row in read_results(Path(out))}
        cases = [c for c in load_cases([Path(files)]) if c.id in ids]
        pipeline, stored = pipeline_for(index, args.backend, Path(args.cache))
        verifier = pipeline.answerer.verifier
        verifier.embed = _memoized(verifier.embed)
        sets.append((cases, pipeline, stored))
    grid = [(o, c) for o in args.overlaps for c in args.cosines]
    print("overlap cosine " + " ".join(f"{n:>18}" for n in ("pass", "facts", "cit.prec", "abst.F1")))
    for overlap, cosine in grid:
        row = []
        for cases, pipeline, stored in sets:
            pipeline.answerer.verifier.thresholds = pipeline.settings.verify.model_copy(
                update={"overlap": overlap, "cosine": cosine})
            misses = stored.misses
            summary = summarize(cases, run_cases(pipeline, cases, show_progress=False))
            if stored.misses != misses:
                print(f"warning: {stored.misses - misses} generations were not stored", file=sys.stderr)
            row.append(summary)
        cells = [" / ".join(f"{s[m] or 0:.3f}" for s in row)
                 for m in ("pass_rate", "fact_accuracy", "citation_precision", "abstain_f1")]
        print(f"{overlap:>7} {cosine:>6} " + " ".join(f"{c:>18}" for c in cells), flush=True)


def _memoized(embed):
    seen: dict[str, np.ndarray] = {}

    def cached(texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in seen]
        if new:
            seen.update(zip(new, embed(new)))
        return np.array([seen[t] for t in texts])
    return cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="stored generations (SQLite)")
    sub = parser.add_subparsers(required=True)
    p = sub.add_parser("run")
    p.add_argument("files", nargs="+")
    p.add_argument("--index", required=True)
    p.add_argument("--backend", default="local")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=9.0, help="stop starting cases after this")
    p.set_defaults(run=cmd_run)
    p = sub.add_parser("summary")
    p.add_argument("out")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=cmd_summary)
    p = sub.add_parser("tune")
    p.add_argument("runs", nargs="+", help="CASES.jsonl:INDEX:OUT of earlier runs")
    p.add_argument("--backend", default="local")
    p.add_argument("--overlaps", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6, 0.7])
    p.add_argument("--cosines", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6, 0.7])
    p.set_defaults(run=cmd_tune)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
