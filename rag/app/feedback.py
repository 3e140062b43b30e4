"""👍/👎 on answers, stored durably beside the index, and turned into eval cases.

One row per answer (rating it again replaces the earlier rating), holding the whole
answer record (rag/app/records.py): question, history, filters, answer, cited passages with
their statuses, backend and the index's state. `export` writes the rows that say what
the answer should have been as cases in the format of rag/eval/cases.py, for a person
to review before they join the regression evals.
"""

import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rag.answer.question import readable
from rag.eval.cases import Case, load_cases
from rag.app.local_db import connect
from rag.prompts import TOO_LONG
from rag.settings import UI, Settings

RATINGS = ("up", "down")
TAG = "from-chat"
WHAT = "feedback database"  # how errors name the file
_SHOWN = 5  # unknown sources named in an error at most

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    answer_id TEXT NOT NULL UNIQUE,
    rated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    expected TEXT NOT NULL DEFAULT '',
    not_in_corpus INTEGER NOT NULL DEFAULT 0,
    accepted TEXT NOT NULL DEFAULT '[]',
    record TEXT NOT NULL
);
"""


@dataclass
class Feedback:
    id: int
    rated_at: str
    rating: str
    expected: str  # what the user says the answer should have contained
    not_in_corpus: bool  # the user says the corpus does not answer this
    accepted: list[str]  # doc ids of the cited sources the user accepted
    record: dict
    answer_id: str = ""  # the rated answer's id: unique across stores, unlike `id`

    @property
    def question(self) -> str:
        return self.record["question"]


def feedback_path(settings: Settings) -> Path:
    return Path(settings.index_dir) / "feedback.sqlite3"


def checked(rating: str, expected: str, not_in_corpus: bool, accepted: list[str],
            record: dict, max_chars: int = UI().max_text_chars) -> tuple[str, str, list[str]]:
    """What the user gave, made consistent, or a ValueError saying what is wrong. Read as a
    question is (rag/answer/question.py): a NUL, a terminal escape or a bidi override the user
    typed is a space, so `rag feedback list` prints nothing the terminal would obey."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be 'up' or 'down', not {readable(str(rating))[:20]!r}")
    # Measured before anything else is done with it: 20 MB would be stored whole.
    if len(expected or "") > max_chars:
        raise ValueError(TOO_LONG.format(what="what it should have said", limit=max_chars))
    expected = readable(expected or "")
    if not_in_corpus and expected:
        raise ValueError("give either what it should have said or 'not in the corpus', not both")
    cited = [c["doc_id"] for c in record["answer"]["citations"]]
    unknown = [doc for doc in accepted if doc not in cited]
    if unknown:
        named = ", ".join(readable(doc)[:80] for doc in unknown[:_SHOWN])
        more = f" and {len(unknown) - _SHOWN} more" if len(unknown) > _SHOWN else ""
        raise ValueError(f"accepted sources must be cited by the answer: {named}{more}")
    if rating == "up":
        if not_in_corpus:
            raise ValueError("a 👍 cannot say the corpus lacks the answer")
        accepted = accepted or cited  # a good answer's sources are good
    return rating, expected, list(dict.fromkeys(accepted))


class FeedbackStore:
    def __init__(self, path: Path, max_chars: int = UI().max_text_chars) -> None:
        self.path, self.max_chars = Path(path), max_chars

    def rate(self, record: dict, rating: str, expected: str = "", not_in_corpus: bool = False,
             accepted: list[str] | None = None) -> int:
        """Store (or replace) the rating of the answer in `record`; returns the row id."""
        rating, expected, kept = checked(rating, expected, not_in_corpus, accepted or [], record,
                                         self.max_chars)
        with connect(self.path, _SCHEMA, WHAT) as db:
            db.execute(
                "INSERT INTO feedback (answer_id, rating, expected, not_in_corpus, accepted, record)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id) DO UPDATE SET"
                " rating = excluded.rating, expected = excluded.expected,"
                " not_in_corpus = excluded.not_in_corpus, accepted = excluded.accepted,"
                " rated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                (record["id"], rating, expected, int(not_in_corpus), json.dumps(kept),
                 json.dumps(record, ensure_ascii=False)))
            return db.execute("SELECT id FROM feedback WHERE answer_id = ?",
                              (record["id"],)).fetchone()["id"]

    def all(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        with connect(self.path, _SCHEMA, WHAT) as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        try:
            return [Feedback(id=r["id"], rated_at=r["rated_at"], rating=r["rating"],
                             expected=r["expected"], not_in_corpus=bool(r["not_in_corpus"]),
                             accepted=json.loads(r["accepted"]), record=json.loads(r["record"]),
                             answer_id=r["answer_id"])
                    for r in rows]
        except (ValueError, TypeError) as error:  # a row edited by hand into something else
            raise ValueError(f"the {WHAT} at {self.path} holds a row that is not a rating ({error})") \
                from None


def to_case(feedback: Feedback) -> Case | None:
    """The eval case a rating makes, or None when it says nothing to check against (a 👎
    with neither the expected fact, nor 'not in the corpus', nor an accepted source)."""
    record = feedback.record
    abstain = feedback.not_in_corpus or (feedback.rating == "up" and record["answer"]["abstained"])
    facts = [[feedback.expected]] if feedback.expected and not abstain else []
    sources = [] if abstain else feedback.accepted
    if not (abstain or facts or sources):
        return None
    filters = record.get("filters", {})
    tags = [TAG, *(["filtered"] if any(v for k, v in filters.items() if k != "as_of") else [])]
    # The as-of date is part of the question ("this week" counts back from it); keep it.
    return Case(id=case_id(feedback), question=feedback.question, history=record["history"],
                facts=facts, sources=sources, abstain=abstain, tags=tags,
                as_of=filters.get("as_of") or None)


def case_id(feedback: Feedback) -> str:
    """From the answer's id (a random uuid), not the row id: each feedback database counts rows
    from 1, so a second index's ratings, or a recreated database's, would take ids already in
    the file and be dropped as exported."""
    return f"chat-{feedback.answer_id[:12]}" if feedback.answer_id else f"chat-{feedback.id}"


def _legacy(feedback: Feedback, case: Case, present: dict[str, Case]) -> bool:
    """Exported before case ids came from answer ids: as `chat-<row id>`, with this question."""
    earlier = present.get(f"chat-{feedback.id}")
    return earlier is not None and (earlier.question, earlier.history) == (case.question, case.history)


def writable_target(target: Path) -> None:
    """Export writes a regular file or a new path, nothing else: the rename that replaces the
    file would turn a symlink into a plain file (leaving what it points to as it was), a device
    into a file, and a fifo would hang the read."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        kind = ("a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode)
                else "a fifo" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device")
        raise ValueError(f"{target} is {kind}, not a regular file: export writes only to a regular "
                         "file or a new path")


@dataclass
class ExportReport:
    added: list[str]  # case ids written now
    kept: int  # cases already in the file, left as they are (a person may have edited them)
    skipped: list[int]  # feedback ids with nothing to check against

    def summary(self, target: Path) -> str:
        skipped = (f"; skipped {len(self.skipped)} 👎 without an expected answer "
                   f"(feedback {', '.join(map(str, self.skipped))})" if self.skipped else "")
        return f"{target}: added {len(self.added)} case(s), kept {self.kept}{skipped}"


def export(feedback: list[Feedback], target: Path) -> ExportReport:
    """Append the cases not yet in `target` (by id); the file is replaced in one rename,
    so a crash leaves the old one whole."""
    target = Path(target)
    writable_target(target)
    exists = target.exists()
    # Read as `rag eval` will: a line broken by hand is reported, not written over.
    present = {case.id: case for case in load_cases([target])} if exists else {}
    lines = [line for line in target.read_text(encoding="utf-8").splitlines() if line.strip()] if exists else []
    added, skipped = [], []
    for item in feedback:
        case = to_case(item)
        if case is None:
            skipped.append(item.id)
        elif case.id not in present and not _legacy(item, case, present):
            lines.append(case.model_dump_json(exclude_defaults=True))
            added.append(case.id)
            present[case.id] = case
    target.parent.mkdir(parents=True, exist_ok=True)
    # A new name of our own (O_EXCL): a fixed "<name>.tmp" could be a symlink planted beside it.
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode) if exists else 0o666 & ~umask)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return ExportReport(added=added, kept=len(lines) - len(added), skipped=skipped)
