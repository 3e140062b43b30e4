"""Embedding progress: plain lines with chunks/s and time left when stderr is no terminal."""

import re

from rag.ingest.progress import EmbeddingProgress


def test_a_log_gets_plain_lines_with_rate_and_time_left(capsys) -> None:
    progress = EmbeddingProgress(300, "embedding", show=True, every=0.0)
    for _ in range(3):
        progress.update(100)
    progress.close()
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 4 and "\r" not in "".join(lines)
    assert re.fullmatch(r"embedding: 100/300 chunks, [\d.]+ chunks/s, .+ left", lines[0])
    assert lines[-1].startswith("embedding: 300/300 chunks") and lines[-1].endswith(" 0 s left")


def test_a_short_run_or_a_quiet_one_prints_nothing(capsys) -> None:
    quick = EmbeddingProgress(10, "embedding", show=True)  # under the 30 s between lines
    quick.update(10)
    quick.close()
    quiet = EmbeddingProgress(10, "embedding", show=False, every=0.0)
    quiet.update(10)
    quiet.close()
    assert capsys.readouterr().err == ""
