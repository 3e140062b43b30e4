"""Progress of a long embedding run: chunks/s and time left, on stderr.

A terminal gets a tqdm bar; a log (no terminal: a pipe, a file, a service) gets a plain
line every `every` seconds, and one at the end of a run that printed any, since a bar's carriage returns would
make it one unreadable line.
"""

import sys
import time

from tqdm import tqdm


class EmbeddingProgress:
    def __init__(self, total: int, what: str, show: bool, every: float = 30.0) -> None:
        self.total, self.what, self.every = total, what, every
        self.done, self.started = 0, time.perf_counter()
        self.shown = self.started
        terminal = sys.stderr.isatty()
        self.bar = tqdm(total=total, unit="chunk", desc=what, file=sys.stderr,
                        disable=not (show and total and terminal))
        self.lines = bool(show and total and not terminal)

    def update(self, chunks: int) -> None:
        self.done += chunks
        self.bar.update(chunks)
        now = time.perf_counter()
        if self.lines and now - self.shown >= self.every:
            self.shown = now
            print(self.line(now), file=sys.stderr, flush=True)

    def line(self, now: float) -> str:
        rate = self.done / max(now - self.started, 1e-9)
        left = (self.total - self.done) / rate if rate else float("inf")
        return (f"{self.what}: {self.done}/{self.total} chunks, {rate:.1f} chunks/s, "
                f"{_duration(left)} left")

    def close(self) -> None:
        self.bar.close()
        if self.lines and self.shown > self.started:
            print(self.line(time.perf_counter()), file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    if seconds == float("inf"):
        return "unknown time"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
