"""How the app queues its events: answers queue apart from uploads and deletions, so a slow
answer never holds up a write (nor a write an answer), RAG_UI__CHAT_CONCURRENCY of them at once
(4 by default) (no server started)."""

from rag.pipeline import Pipeline
from rag.app.ui import build_app


def queues(settings, fake_embedder) -> dict[str, set]:
    app = build_app(Pipeline(settings, fake_embedder))
    found: dict[str, set] = {}
    for fn in app.fns.values():
        if fn.name in ("respond", "chat", "upload", "delete"):
            found.setdefault(fn.concurrency_id, set()).add(fn.concurrency_limit)
    return found


def test_one_answer_at_a_time_still_queues_apart_from_writes(settings, fake_embedder) -> None:
    found = queues(settings.changed(ui__chat_concurrency=1), fake_embedder)
    assert found == {"answer": {1}, "pipeline": {"default"}}  # writes: Gradio's default limit, 1


def test_several_answers_at_once_queue_apart_from_writes(settings, fake_embedder) -> None:
    found = queues(settings.changed(ui__chat_concurrency=3), fake_embedder)
    assert found == {"answer": {3}, "pipeline": {"default"}}
