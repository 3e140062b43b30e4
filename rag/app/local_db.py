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


class StoreUnavailable(RuntimeError):
    """A database beside the index that cannot be used (damaged, not a database, locked past
    the wait): one line naming it and what to do, never sqlite3's traceback."""


def unavailable(path: Path, what: str, error: sqlite3.Error) -> StoreUnavailable:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    if isinstance(error, sqlite3.OperationalError) and "malformed" not in reason:
        # Locked, unreadable, a folder where the file should be: nothing is damaged.
        return StoreUnavailable(f"cannot use the {what} at {path} ({reason})")
    return StoreUnavailable(f"the {what} at {path} is damaged ({reason}): move that file aside "
                            "(a new one starts empty) or restore it from a backup")


@contextmanager
def connect(path: Path, schema: str, what: str = "database") -> Iterator[sqlite3.Connection]:
    """One transaction on the database at `path` (created with `schema` if new): committed
    when the block ends, rolled back if it raises. A connection per call, so that the UI's
    worker threads never share one. `what` names it in errors ("feedback database")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
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
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise  # a caller's mistake, not the file's
    except sqlite3.DatabaseError as error:  # "file is not a database", "malformed", locked
        raise unavailable(path, what, error) from error
