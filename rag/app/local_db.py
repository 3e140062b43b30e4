"""SQLite files kept beside the index (feedback, saved conversations).

Write-ahead log and a full sync on every commit: a write is on disk once its transaction
returns, and a process killed in the middle of one leaves the file as it was before it.
SQLite lets one writer in at a time; the others wait up to `_WAIT_S` for their turn.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

_WAIT_S = 30.0


@contextmanager
def connect(path: Path, schema: str) -> Iterator[sqlite3.Connection]:
    """One transaction on the database at `path` (created with `schema` if new): committed
    when the block ends, rolled back if it raises. A connection per call, so that the UI's
    worker threads never share one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=_WAIT_S, isolation_level=None)) as db:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(schema)
        db.execute("BEGIN IMMEDIATE")  # take the write lock now, not halfway through
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
