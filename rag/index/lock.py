"""One writer per local index folder.

Chroma's PersistentClient caches the collection in memory: a second process writing
the same folder would leave the first one answering from stale vectors. So writing
(ingest, delete) takes an exclusive lock on the folder, and the chat UI holds it for
as long as it runs. A Chroma server (RAG_CHROMA_URL) needs no lock: it is the one
writer, and any number of processes may share it.
"""

import fcntl
import os
from pathlib import Path
from typing import IO


class IndexBusy(RuntimeError):
    pass


class WriterLock:
    def __init__(self, index_dir: Path, enabled: bool = True) -> None:
        self.path = Path(index_dir) / ".writer.lock"
        self.enabled = enabled
        self._file: IO[str] | None = None
        self._depth = 0  # re-entrant: the UI holds the lock and then ingests under it

    def __enter__(self) -> "WriterLock":
        if self.enabled and self._depth == 0:
            self._acquire()
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise IndexBusy(
                f"{self.path.parent} is being written by another process (pid {holder}), "
                "such as the chat UI: add documents through its Corpus tab, or stop it first. "
                "To share one index between processes, run a Chroma server and set RAG_CHROMA_URL."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
