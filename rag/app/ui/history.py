"""Conversations that outlive a reload and a restart, and the list of past ones.

Each browser keeps a random id and the id of its open conversation in its own
localStorage (gr.BrowserState, encrypted with a key the conversation store keeps, so it
reads back after a restart); with RAG_UI__AUTH the signed-in user owns the conversations
instead. Gradio sends that key to every client, so the encryption protects nothing: the
unguessable id does (README, "Who can read a browser's conversations"), and a value
that is not what we wrote is read as none. Every finished answer is saved as it is
shown (rag/app/conversations.py). Reopened, an answer is shown from its record, with
the passages it cited as they were, and a note on every cited document that was
replaced or deleted since.
"""

import html
import uuid
from dataclasses import dataclass

import gradio as gr

from rag.answer import Answer
from rag.app.conversations import ConversationStore, conversations_path
from rag.retrieve.filters import Filters
from rag.index.errors import IndexUnavailable
from rag.pipeline import Pipeline
from rag.app.records import DELETED, answer_of, changed_sources
from rag.app.ui.render import render_answer, render_source, sources_panel
from rag.app.ui.takeaway import answer_actions

STORAGE_KEY = "rag-browser"
_KEY_CHARS = 64  # ids are uuid4 hex (32); a longer one was not written here
CSS = """
.rag-stale-note { font-size: .85em; color: #b45309; }
.rag-stale .rag-source { border-left-color: #b45309; opacity: .85; }
"""
_CHANGED = {DELETED: "was deleted from the corpus",
            "replaced": "was replaced by a new version"}


def conversation_store(pipeline: Pipeline) -> ConversationStore:
    return ConversationStore(conversations_path(pipeline.settings))


def browser_state(store: ConversationStore) -> gr.BrowserState:
    return gr.BrowserState(None, storage_key=STORAGE_KEY, secret=store.secret())


def _key(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _KEY_CHARS and value.isprintable()


def readable_state(value: object) -> dict | None:
    """The browser's saved value if it is what `wire` writes (an id and an open
    conversation, both short strings), else None: a value tampered with in localStorage,
    or left by another version, is no saved state, never an error that keeps the
    question box disabled."""
    if isinstance(value, dict) and _key(value.get("id")) and _key(value.get("open")):
        return {"id": value["id"], "open": value["open"]}
    return None


def owner_of(browser: dict | None, request: gr.Request | None) -> str | None:
    if request is not None and request.username:
        return f"user:{request.username}"
    known = readable_state(browser)
    return f"browser:{known['id']}" if known else None


def keep(store: ConversationStore, browser: dict | None, request: gr.Request | None,
         record: dict) -> None:
    """Save a finished answer into the browser's open conversation."""
    owner, known = owner_of(browser, request), readable_state(browser)
    if owner and known:
        store.add(owner, known["open"], [record])


def _note(answer: Answer, changed: dict[str, str]) -> str:
    parts = [f"[{c.n}] {c.doc_id} {_CHANGED[changed[c.doc_id]]}"
             for c in answer.citations if c.doc_id in changed]
    if not parts:
        return ""
    return (f'<p class="rag-stale-note">Since this answer, the source of {html.escape("; ".join(parts))}'
            ". Its passage is shown as it was cited.</p>")


def _sources(answer: Answer, turn: int, changed: dict[str, str]) -> str:
    cards = []
    for c in answer.citations:
        card = render_source(c, turn)
        if c.doc_id in changed:
            card = (f'<div class="rag-stale"><p class="rag-stale-note">{html.escape(c.doc_id)} '
                    f"{_CHANGED[changed[c.doc_id]]} since this answer; this is the passage "
                    f"as it was cited.</p>{card}</div>")
        cards.append(card)
    body = "".join(cards) or '<p class="rag-hint">Not found in the corpus: nothing to cite.</p>'
    return (f'<section class="rag-group" id="answer-{turn}"><h4>Answer {turn}: '
            f'<span class="rag-question">“{html.escape(answer.question)}”</span></h4>{body}</section>')


def _described(filters: dict) -> str:
    known: dict = {k: tuple(v) if isinstance(v, list) else v for k, v in filters.items()}
    return Filters(**known).describe()


def restored(pipeline: Pipeline, records: list[dict]) -> tuple:
    """The chat, the earlier questions, the sources panel's sections and the records
    state of a saved conversation."""
    messages: list[dict] = []
    asked: list[str] = []
    sections: list[str] = []
    shown: list[dict] = []
    for turn, record in enumerate(records, start=1):
        answer = answer_of(record)
        try:
            changed = changed_sources(record, pipeline.store)
        except IndexUnavailable:
            changed = {}
        body = render_answer(answer, turn, filtered=_described(record.get("filters", {})))
        messages += [{"role": "user", "content": html.escape(answer.question)},
                     {"role": "assistant",
                      "content": body + _note(answer, changed) + answer_actions(answer, turn)}]
        asked.append(answer.question)
        sections.insert(0, _sources(answer, turn, changed))
        shown.append({**record, "message": len(messages) - 1})
    return messages, asked, sections, shown, sources_panel(sections)


@dataclass
class Past:
    choice: gr.Dropdown
    reopen: gr.Button
    delete: gr.Button


def past_conversations() -> Past:
    """The list of past conversations; call where it should appear."""
    with gr.Accordion("Past conversations", open=False, elem_id="past"):
        choice = gr.Dropdown(label="Conversation", choices=[], value=None, elem_id="past-choice")
        with gr.Row():
            reopen = gr.Button("Open", size="sm", elem_id="past-open")
            delete = gr.Button("Delete", size="sm", variant="stop", elem_id="past-delete")
    return Past(choice, reopen, delete)


def wire(app: gr.Blocks, pipeline: Pipeline, store: ConversationStore, past: Past,
         browser: gr.BrowserState, shown: list, resets: list, answered: list,
         private: dict) -> None:
    """Events: reopen on load, open or delete a past one, start a new one on each of
    `resets` (listener methods, e.g. a button's `click`), list the conversation again
    after each of `answered` (event dependencies). `shown` are the components a
    conversation fills: chatbot, asked, sections, records, sources panel, and the question
    box, which takes questions once the conversation is back (one asked before would be
    saved nowhere, and its answer overwritten)."""

    def listed(owner: str | None, open_id: str | None) -> dict:
        choices = [(f"{c.title} · {c.turns} answer{'s' * (c.turns != 1)} · {c.updated_at[:10]}", c.id)
                   for c in (store.owned(owner) if owner else [])]
        return gr.update(choices=choices,
                         value=open_id if open_id in {cid for _, cid in choices} else None)

    def opened(browser_value: dict, request: gr.Request) -> tuple:
        owner = owner_of(browser_value, request)
        records = store.records(owner, browser_value["open"]) if owner else []
        return (browser_value, *restored(pipeline, records), gr.update(interactive=True),
                listed(owner, browser_value["open"]))

    def on_load(browser_value: object, request: gr.Request) -> tuple:
        # Gradio's JS already gives None for a value it cannot decrypt or parse as JSON;
        # what it can but we cannot read starts afresh too.
        known = readable_state(browser_value)
        if known is None:
            known = {"id": uuid.uuid4().hex, "open": uuid.uuid4().hex}
        return opened(known, request)

    def reopen_chosen(browser_value: dict, chosen: str | None, request: gr.Request) -> tuple:
        if not chosen:
            raise gr.Error("Pick a conversation to open.", print_exception=False)
        return opened({**browser_value, "open": chosen}, request)

    def delete_chosen(browser_value: dict, chosen: str | None, request: gr.Request) -> tuple:
        if not chosen:
            raise gr.Error("Pick a conversation to delete.", print_exception=False)
        if owner := owner_of(browser_value, request):
            store.delete(owner, chosen)
        if chosen == browser_value["open"]:
            browser_value = {**browser_value, "open": uuid.uuid4().hex}
        return opened(browser_value, request)

    def start_new(browser_value: dict, request: gr.Request) -> tuple:
        known = readable_state(browser_value) or {"id": uuid.uuid4().hex}
        browser_value = {**known, "open": uuid.uuid4().hex}
        return browser_value, listed(owner_of(browser_value, request), None)

    def refresh(browser_value: dict, request: gr.Request) -> dict:
        known = readable_state(browser_value)
        return listed(owner_of(known, request), (known or {}).get("open"))

    everything = [browser, *shown, past.choice]
    app.load(on_load, [browser], everything, **private)
    past.reopen.click(reopen_chosen, [browser, past.choice], everything, **private)
    past.delete.click(delete_chosen, [browser, past.choice], everything, **private)
    for reset in resets:
        reset(start_new, [browser], [browser, past.choice], **private)
    for event in answered:
        event.then(refresh, [browser], past.choice, **private)
