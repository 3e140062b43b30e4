"""Saved conversations: per owner, durable, and checked against the index when reopened."""

import pytest

from rag.app.conversations import ConversationStore
from rag.pipeline import Pipeline
from rag.app.records import DELETED, REPLACED, answer_of, answer_record, changed_sources


def rec(question: str) -> dict:
    return {"id": question, "question": question, "answer": {}}


@pytest.fixture
def store(tmp_path) -> ConversationStore:
    return ConversationStore(tmp_path / "conversations.sqlite3")


def test_conversation_keeps_its_turns_in_order(store):
    first = store.add("alice", None, [rec("Q1")])
    assert store.add("alice", first, [rec("Q2"), rec("Q3")]) == first
    assert [r["question"] for r in store.records("alice", first)] == ["Q1", "Q2", "Q3"]
    [listed] = store.owned("alice")
    assert (listed.id, listed.title, listed.turns) == (first, "Q1", 3)


def test_conversations_are_never_shared_between_owners(store):
    mine = store.add("alice", None, [rec("mine")])
    assert store.owned("bob") == []
    assert store.records("bob", mine) == []
    assert not store.delete("bob", mine)
    # Bob writing "into" Alice's conversation starts his own instead.
    his = store.add("bob", mine, [rec("his")])
    assert his != mine and [r["question"] for r in store.records("alice", mine)] == ["mine"]


def test_newest_conversation_is_listed_first_and_delete_removes_it(store):
    old = store.add("alice", None, [rec("old")])
    new = store.add("alice", None, [rec("new")])
    assert [c.id for c in store.owned("alice")] == [new, old]
    assert store.delete("alice", new)
    assert [c.id for c in store.owned("alice")] == [old] and store.records("alice", new) == []


def test_secret_is_made_once(store, tmp_path):
    assert store.secret() == ConversationStore(tmp_path / "conversations.sqlite3").secret()


def test_record_round_trips_and_tells_replaced_and_deleted_sources(settings, fake_embedder,
                                                                   seed_corpus):
    (seed_corpus / "zorb.txt").write_text("Harbour news\nThe harbour of Zorblat reopened on "
                                          "Monday after the long storm.\n")
    pipeline = Pipeline(settings, embed_model=fake_embedder)
    pipeline.ingest()
    answer = pipeline.ask("When did the harbour of Zorblat reopen?")
    assert "zorb.txt" in [c.doc_id for c in answer.citations]
    record = answer_record(answer, ["earlier"], pipeline.filters("2020-01-01"), "extractive",
                           pipeline.store)
    assert record["filters"]["since"] == "2020-01-01" and record["history"] == ["earlier"]
    assert answer_of(record) == answer
    assert changed_sources(record, pipeline.store) == {}

    (seed_corpus / "zorb.txt").write_text("Harbour news\nThe harbour of Zorblat closed.\n")
    pipeline.ingest()
    assert changed_sources(record, pipeline.store)["zorb.txt"] == REPLACED
    (seed_corpus / "zorb.txt").unlink()
    pipeline.ingest()
    assert changed_sources(record, pipeline.store)["zorb.txt"] == DELETED
    # The old answer still shows the text it cited.
    cited = next(c for c in answer_of(record).citations if c.doc_id == "zorb.txt")
    assert "reopened on Monday" in cited.text


def test_signed_in_user_owns_conversations_in_any_browser():
    import gradio as gr

    from rag.app.ui.history import owner_of

    assert owner_of({"id": "b1", "open": "c1"}, gr.Request(username="alice")) == \
        owner_of({"id": "b2", "open": "c1"}, gr.Request(username="alice")) == "user:alice"
    assert owner_of({"id": "b1", "open": "c1"}, gr.Request()) == "browser:b1"  # as `wire` saves it
    assert owner_of(None, gr.Request()) is None
