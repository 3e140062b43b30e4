"""Hostile input to the feedback store and to `rag feedback list|export`, tried as it was
found: through `main([...])` on a real feedback database (cases 1, 2, 3, 7 and 8)."""

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from rag.app.cli.main import main
from rag.app.feedback import FeedbackStore, export, feedback_path
from rag.app.local_db import StoreUnavailable
from rag.eval.cases import load_cases
from rag.prompts import TOO_LONG
from rag.settings import Settings
from tests.unit.app.test_feedback_store import record

HOSTILE = "late \x00\x1b[31m2021\u202e here\x1b]8;;http://x\x07"


@pytest.fixture
def index(tmp_path, monkeypatch) -> Path:
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env of a developer's
    return tmp_path / "index"


def rated(index: Path, *answer_ids: str, expected: str = "December 2021") -> FeedbackStore:
    store = FeedbackStore(feedback_path(Settings(index_dir=index, _env_file=None)))
    for answer_id in answer_ids:
        store.rate(record(answer_id=answer_id), "down", expected=expected)
    return store


# Case 1: `--to` replaced whatever was at the path.

def test_export_to_a_symlink_is_refused_and_both_files_are_left_as_they_were(index, tmp_path, capsys):
    rated(index, "a1")
    kept = tmp_path / "kept.jsonl"
    kept.write_text("")
    link = tmp_path / "link.jsonl"
    link.symlink_to(kept)
    assert main(["feedback", "export", "--to", str(link), "--index", str(index)]) == 2
    assert capsys.readouterr().err == (f"rag: {link} is a symbolic link, not a regular file: export writes "
                                       "only to a regular file or a new path\n")
    assert link.is_symlink() and kept.read_text() == ""


@pytest.mark.parametrize("kind", ["a folder", "a fifo", "a device"])
def test_export_to_anything_but_a_regular_file_is_refused_in_one_line(index, tmp_path, capsys, kind):
    rated(index, "a1")
    target = tmp_path / "target"
    if kind == "a folder":
        target.mkdir()  # was an IsADirectoryError traceback
    elif kind == "a fifo":
        os.mkfifo(target)  # hung forever
    else:
        target = Path("/dev/null")  # as root, became a regular file
    assert main(["feedback", "export", "--to", str(target), "--index", str(index)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rag: {target} is {kind}, not a regular file") and err.count("\n") == 1
    mode = os.lstat(target).st_mode
    assert stat.S_ISDIR(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)
    assert not list(target.parent.glob(".target.*.tmp"))


def test_export_writes_a_new_path_and_keeps_a_regular_files_mode(index, tmp_path, capsys):
    rated(index, "a1")
    target = tmp_path / "evals" / "from-chat.jsonl"
    assert main(["feedback", "export", "--to", str(target), "--index", str(index)]) == 0
    target.chmod(0o640)
    rated(index, "a2")
    assert main(["feedback", "export", "--to", str(target), "--index", str(index)]) == 0
    assert "added 1 case(s), kept 1" in capsys.readouterr().out.splitlines()[-1]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and len(load_cases([target])) == 2
    assert [p.name for p in target.parent.iterdir()] == ["from-chat.jsonl"]


# Case 2: case ids collided across feedback databases.

def test_ratings_of_two_indexes_exported_into_one_file_are_all_kept(tmp_path, index, capsys):
    target = tmp_path / "from-chat.jsonl"
    first, second = tmp_path / "first", tmp_path / "second"
    rated(first, "8f0c2a55d1e94b7b9c1e", "3a7d")
    rated(second, "d41d8cd98f00b204e980")  # its row id is 1 too
    assert main(["feedback", "export", "--to", str(target), "--index", str(first)]) == 0
    assert main(["feedback", "export", "--to", str(target), "--index", str(second)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("added 1 case(s), kept 2")
    assert [c.id for c in load_cases([target])] == ["chat-8f0c2a55d1e9", "chat-3a7d", "chat-d41d8cd98f00"]


def test_a_case_exported_under_its_old_row_id_is_not_exported_again(tmp_path, index):
    store = rated(index, "8f0c2a55d1e94b7b9c1e")
    target = tmp_path / "from-chat.jsonl"
    old = {"id": "chat-1", "question": record()["question"], "facts": [["December 2021"]],
           "tags": ["from-chat"]}
    target.write_text(json.dumps(old) + "\n")
    assert export(store.all(), target).added == []
    other = {**old, "question": "Another question?"}  # chat-1 of another database
    target.write_text(json.dumps(other) + "\n")
    assert export(store.all(), target).added == ["chat-8f0c2a55d1e9"]


# Case 3: terminal escapes in what the user typed.

def test_escapes_in_an_expected_answer_are_not_stored_or_printed(index, capsys):
    store = rated(index, "a1", expected=HOSTILE)
    assert store.all()[0].expected == "late [31m2021 here ]8;;http://x"
    assert main(["feedback", "list", "--index", str(index)]) == 0
    shown = capsys.readouterr().out
    assert "should say: late [31m2021 here" in shown
    assert not any(ch in shown for ch in "\x00\x1b\u202e\x07")


def test_a_row_stored_raw_before_is_cleaned_when_listed(index, capsys):
    store = rated(index, "a1")
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE feedback SET expected = ?", (HOSTILE,))
    assert main(["feedback", "list", "--index", str(index)]) == 0
    assert "\x1b" not in capsys.readouterr().out


# Case 7: a damaged feedback database.

@pytest.mark.parametrize("damage", [b"this is not a database" * 100, b""])
def test_a_damaged_feedback_database_is_one_line_naming_it(index, capsys, damage):
    store = rated(index, "a1")
    with open(store.path, "r+b") as db:  # the header and the first page overwritten
        db.write(damage or b"\x00" * 4096)
    for name in ("feedback.sqlite3-wal", "feedback.sqlite3-shm"):
        (index / name).unlink(missing_ok=True)
    assert main(["feedback", "list", "--index", str(index)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rag: the feedback database at {store.path} is damaged (") and err.count("\n") == 1
    assert "move that file aside" in err
    with pytest.raises(StoreUnavailable):
        store.rate(record(answer_id="a2"), "up")


# Case 8: no size limit on feedback text.

def test_a_long_expected_answer_is_refused_before_anything_is_stored(index):
    store = rated(index, "a1")
    size = store.path.stat().st_size
    with pytest.raises(ValueError) as refused:
        store.rate(record(answer_id="a2"), "down", expected="x" * 20_000_000)
    assert str(refused.value) == TOO_LONG.format(what="what it should have said", limit=4000)
    assert len(store.all()) == 1 and store.path.stat().st_size == size
    short = FeedbackStore(store.path, max_chars=10)
    with pytest.raises(ValueError, match="at most 10 characters"):
        short.rate(record(answer_id="a3"), "down", expected="December 2021")
    short.rate(record(answer_id="a3"), "down", expected="late 2021")
