"""The feedback store (SQLite beside the index) and its export into eval cases."""

import json
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from rag.eval.cases import load_cases
from rag.app.feedback import FeedbackStore, export, to_case


def record(question="When did Wagner deploy to Mali?", cited=("a.txt", "b.txt"),
           abstained=False, history=(), filters=None, answer_id="r1") -> dict:
    return {"id": answer_id, "question": question, "history": list(history),
            "filters": filters or {"since": None, "until": None, "sources": []},
            "backend": "extractive", "index": {"chunks": 10, "documents": {}},
            "answer": {"question": question, "answer": "In late 2021 [1].", "abstained": abstained,
                       "citations": [{"n": i + 1, "doc_id": d, "title": d, "text": "…", "start": 0,
                                      "end": 1, "highlights": [], "metadata": {}}
                                     for i, d in enumerate(cited)]}}


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "index" / "feedback.sqlite3")


def test_rating_is_stored_with_the_whole_record(store):
    store.rate(record(history=["earlier?"]), "down", expected="December 2021", accepted=["b.txt"])
    [item] = store.all()
    assert (item.rating, item.expected, item.accepted) == ("down", "December 2021", ["b.txt"])
    assert item.record["history"] == ["earlier?"]
    assert item.record["answer"]["citations"][1]["doc_id"] == "b.txt"
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_rating_again_replaces_the_earlier_rating(store):
    store.rate(record(), "up")
    store.rate(record(), "down", not_in_corpus=True)
    [item] = store.all()
    assert item.rating == "down" and item.not_in_corpus and item.accepted == []


def test_up_accepts_every_cited_source(store):
    store.rate(record(), "up")
    assert store.all()[0].accepted == ["a.txt", "b.txt"]


@pytest.mark.parametrize("kwargs, message", [
    ({"rating": "meh"}, "rating must be 'up' or 'down'"),
    ({"rating": "down", "expected": "x", "not_in_corpus": True}, "not both"),
    ({"rating": "up", "not_in_corpus": True}, "cannot say the corpus lacks"),
    ({"rating": "down", "accepted": ["zzz.txt"]}, "must be cited by the answer: zzz.txt"),
])
def test_inconsistent_feedback_is_refused(store, kwargs, message):
    with pytest.raises(ValueError, match=message):
        store.rate(record(), **kwargs)
    assert store.all() == []


def test_cases_follow_what_the_user_said(store):
    store.rate(record(answer_id="1"), "down", expected="December 2021", accepted=["a.txt"])
    store.rate(record(answer_id="2", question="Who won the cup?"), "down", not_in_corpus=True)
    store.rate(record(answer_id="3"), "up")
    store.rate(record(answer_id="4", cited=(), abstained=True), "up")
    store.rate(record(answer_id="5"), "down")  # nothing to check against
    cases = [to_case(item) for item in store.all()]
    assert cases[0].facts == [["December 2021"]] and cases[0].sources == ["a.txt"]
    assert cases[1].abstain and not cases[1].facts and not cases[1].sources
    assert cases[2].sources == ["a.txt", "b.txt"] and not cases[2].facts
    assert cases[3].abstain
    assert cases[4] is None
    assert all(c.tags == ["from-chat"] for c in cases[:4])


def test_a_case_keeps_the_date_its_question_was_asked_as_of(store):
    store.rate(record(filters={"since": None, "until": None, "sources": [], "as_of": "2022-06-17"}),
               "down", expected="December 2021")
    [case] = [to_case(item) for item in store.all()]
    assert str(case.as_of) == "2022-06-17" and case.tags == ["from-chat"]


def test_export_appends_new_cases_and_keeps_reviewed_ones(store, tmp_path):
    target = tmp_path / "evals" / "from-chat.jsonl"
    store.rate(record(answer_id="1"), "down", expected="December 2021")
    store.rate(record(answer_id="2"), "down")
    first = export(store.all(), target)
    assert first.added == ["chat-1"] and first.skipped == [2]
    # A reviewer edits the case; a later export must not undo that.
    edited = json.loads(target.read_text())
    edited["facts"] = [["December 2021", "late 2021"]]
    target.write_text(json.dumps(edited) + "\n")
    store.rate(record(answer_id="3", question="Who backs Africa Corps?", history=["Which force?"],
                      filters={"since": "2025-01-01", "until": None, "sources": []}), "up")
    second = export(store.all(), target)
    assert second.added == ["chat-3"] and second.kept == 1
    cases = load_cases([target])
    assert cases[0].facts == [["December 2021", "late 2021"]]
    assert cases[1].history == ["Which force?"] and cases[1].tags == ["from-chat", "filtered"]


def test_export_reports_a_broken_target_instead_of_overwriting_it(store, tmp_path):
    target = tmp_path / "from-chat.jsonl"
    target.write_text("{not json\n")
    store.rate(record(), "up")
    with pytest.raises(ValueError, match="from-chat.jsonl:1"):
        export(store.all(), target)
    assert target.read_text() == "{not json\n"


def _rate_then_die(path: str, answer_id: str) -> None:
    FeedbackStore(Path(path)).rate(record(answer_id=answer_id), "up")
    os._exit(0)


def test_concurrent_writers_lose_nothing(store):
    store.rate(record(answer_id="first"), "up")  # creates the file
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_rate_then_die, args=(str(store.path), f"w{i}"))
               for i in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert len(store.all()) == 7
