"""👍/👎 on answers, stored durably beside the index, and turned into eval cases.

One row per answer (rating it again replaces the earlier rating), holding the whole
answer record (rag/app/records.py): question, history, filters, answer, cited passages with
their statuses, backend and the index's state. `export` writes the rows that say what
the answer should have been as cases in the format of rag/eval/cases.py, for a person
to review before they join the regression evals.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from rag.eval.cases import Case, load_cases
from rag.app.local_db import connect
from rag.settings import Settings

RATINGS = ("up", "down")
TAG = "from-chat"

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

    @property
    def question(self) -> str:
        return self.record["question"]


def feedback_path(settings: Settings) -> Path:
    return Path(settings.index_dir) / "feedback.sqlite3"


def checked(rating: str, expected: str, not_in_corpus: bool, accepted: list[str],
            record: dict) -> tuple[str, str, list[str]]:
    """What the user gave, made consistent, or a ValueError saying what is wrong."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
    expected = " ".join((expected or "").split())
    if not_in_corpus and expected:
        raise ValueError("give either what it should have said or 'not in the corpus', not both")
    cited = [c["doc_id"] for c in record["answer"]["citations"]]
    unknown = [doc for doc in accepted if doc not in cited]
    if unknown:
        raise ValueError(f"accepted sources must be cited by the answer: {', '.join(unknown)}")
    if rating == "up":
        if not_in_corpus:
            raise ValueError("a 👍 cannot say the corpus lacks the answer")
        accepted = accepted or cited  # a good answer's sources are good
    return rating, expected, list(dict.fromkeys(accepted))


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def rate(self, record: dict, rating: str, expected: str = "", not_in_corpus: bool = False,
             accepted: list[str] | None = None) -> int:
        """Store (or replace) the rating of the answer in `record`; returns the row id."""
        rating, expected, kept = checked(rating, expected, not_in_corpus, accepted or [], record)
        with connect(self.path, _SCHEMA) as db:
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
        with connect(self.path, _SCHEMA) as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [Feedback(id=r["id"], rated_at=r["rated_at"], rating=r["rating"],
                         expected=r["expected"], not_in_corpus=bool(r["not_in_corpus"]),
                         accepted=json.loads(r["accepted"]), record=json.loads(r["record"]))
                for r in rows]


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
    return Case(id=f"chat-{feedback.id}", question=feedback.question, history=record["history"],
                facts=facts, sources=sources, abstain=abstain, tags=tags,
                as_of=filters.get("as_of") or None)


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
    # Read as `rag eval` will: a line broken by hand is reported, not written over.
    present = {case.id for case in load_cases([target])} if target.exists() else set()
    lines = [line for line in target.read_text(encoding="utf-8").splitlines()
             if line.strip()] if target.exists() else []
    added, skipped = [], []
    for item in feedback:
        case = to_case(item)
        if case is None:
            skipped.append(item.id)
        elif case.id not in present:
            lines.append(case.model_dump_json(exclude_defaults=True))
            added.append(case.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)
    return ExportReport(added=added, kept=len(lines) - len(added), skipped=skipped)
