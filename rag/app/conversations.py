"""Saved conversations: each finished answer's record (rag/app/records.py), one conversation
a list of them, kept beside the index so that they outlive a reload and a restart.

Every conversation belongs to one owner (a browser's random id, or a signed-in user's
name) and is only ever listed, read or deleted for that owner.
"""

import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from rag.app.local_db import connect
from rag.settings import Settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated_at);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL,
    n INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (conversation, n)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_TITLE_CHARS = 80


@dataclass
class Conversation:
    id: str
    title: str  # its first question
    updated_at: str
    turns: int


def conversations_path(settings: Settings) -> Path:
    return Path(settings.index_dir) / "conversations.sqlite3"


class ConversationStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def secret(self) -> str:
        """A random key made once per store: the browser keeps its id encrypted with it,
        and it must stay the same across restarts for the browser's id to be read back."""
        with connect(self.path, _SCHEMA, "conversations database") as db:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('browser_secret', ?)",
                       (secrets.token_urlsafe(24),))
            return db.execute("SELECT value FROM meta WHERE key = 'browser_secret'").fetchone()[0]

    def add(self, owner: str, conversation: str | None, records: list[dict]) -> str:
        """Append `records` to the owner's `conversation`, started under that id if there
        is none yet (under a new one when None, or when the id is someone else's); returns
        the conversation's id."""
        with connect(self.path, _SCHEMA, "conversations database") as db:
            taken = conversation is None or db.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (conversation,)).fetchone()
            if conversation is None or (taken and not self._owns(db, owner, conversation)):
                conversation = uuid.uuid4().hex
            if not self._owns(db, owner, conversation):
                title = " ".join(records[0]["question"].split())[:_TITLE_CHARS] if records else ""
                db.execute("INSERT INTO conversations (id, owner, title) VALUES (?, ?, ?)",
                           (conversation, owner, title or "(untitled)"))
            start = db.execute("SELECT COUNT(*) FROM turns WHERE conversation = ?",
                               (conversation,)).fetchone()[0]
            db.executemany("INSERT INTO turns VALUES (?, ?, ?)",
                           [(conversation, start + i, json.dumps(r, ensure_ascii=False))
                            for i, r in enumerate(records)])
            db.execute("UPDATE conversations SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                       " WHERE id = ?", (conversation,))
        return conversation

    def owned(self, owner: str) -> list[Conversation]:
        """The owner's conversations, the most recently continued first."""
        with connect(self.path, _SCHEMA, "conversations database") as db:
            rows = db.execute(
                "SELECT c.id, c.title, c.updated_at, COUNT(t.n) AS turns FROM conversations c"
                " LEFT JOIN turns t ON t.conversation = c.id WHERE c.owner = ?"
                " GROUP BY c.id ORDER BY c.updated_at DESC, c.rowid DESC", (owner,)).fetchall()
        return [Conversation(r["id"], r["title"], r["updated_at"], r["turns"]) for r in rows]

    def records(self, owner: str, conversation: str) -> list[dict]:
        """The conversation's answer records in order; none if it is not the owner's."""
        with connect(self.path, _SCHEMA, "conversations database") as db:
            if not self._owns(db, owner, conversation):
                return []
            rows = db.execute("SELECT record FROM turns WHERE conversation = ? ORDER BY n",
                              (conversation,)).fetchall()
        return [json.loads(r["record"]) for r in rows]

    def delete(self, owner: str, conversation: str) -> bool:
        with connect(self.path, _SCHEMA, "conversations database") as db:
            if not self._owns(db, owner, conversation):
                return False
            db.execute("DELETE FROM turns WHERE conversation = ?", (conversation,))
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation,))
        return True

    @staticmethod
    def _owns(db, owner: str, conversation: str) -> bool:
        return db.execute("SELECT 1 FROM conversations WHERE id = ? AND owner = ?",
                          (conversation, owner)).fetchone() is not None
