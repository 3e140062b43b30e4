"""👍/👎 on the chat's answers and the `/feedback` API: both store through rag/app/feedback.py.

A 👍 is saved at once, its cited sources accepted. A 👎 is saved at once too, then a box
asks what the answer should have said (the expected fact, or "not in the corpus") and
which of its sources were right; saving the box completes the same rating.
"""

from dataclasses import dataclass
from typing import Any

import gradio as gr

from rag.app.feedback import FeedbackStore, feedback_path
from rag.app.local_db import StoreUnavailable
from rag.pipeline import Pipeline

SAVED = ("Thanks: saved. `rag feedback export --to evals/from-chat.jsonl` turns ratings "
         "into eval cases.")


def feedback_store(pipeline: Pipeline) -> FeedbackStore:
    return FeedbackStore(feedback_path(pipeline.settings), pipeline.settings.ui.max_text_chars)


def _rate(store: FeedbackStore, *args: Any, **kwargs: Any) -> int:
    """store.rate, its refusals (and a damaged database) shown as one line, no traceback logged."""
    try:
        return store.rate(*args, **kwargs)
    except (ValueError, StoreUnavailable) as error:
        raise gr.Error(str(error), print_exception=False) from None


def api_inputs(rating: Any, expected: Any, not_in_corpus: Any, sources: Any,
               turn: Any) -> tuple[str, str, bool, list[str], int]:
    """/feedback's fields as the client sent them (not preprocessed: a word for `turn` would be a
    traceback, and `sources="a.md"` a list of letters), typed, or a ValueError saying which is wrong."""
    if not isinstance(rating, str):
        raise ValueError("rating must be 'up' or 'down'")
    if expected is not None and not isinstance(expected, str):
        raise ValueError("expected must be text: what the answer should have said")
    if not_in_corpus is not None and not isinstance(not_in_corpus, bool):
        raise ValueError("not_in_corpus must be true or false")
    if isinstance(sources, str):
        raise ValueError('sources must be a list of cited doc ids, e.g. ["002_9009ab8afc2139b9.txt"], '
                         "not one string")
    if sources is not None and not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
        raise ValueError("sources must be a list of cited doc ids (strings)")
    if turn is None:
        turn = 0
    if isinstance(turn, bool) or not isinstance(turn, (int, float)) or turn != int(turn):
        raise ValueError("turn must be a whole number: 1 for the first answer, 0 for the last")
    return rating, expected or "", bool(not_in_corpus), list(sources or []), int(turn)


def _pure(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "message"}  # "message": where it is shown


@dataclass
class Box:
    group: gr.Group
    heading: gr.Markdown
    expected: gr.Textbox
    missing: gr.Checkbox
    right: gr.CheckboxGroup
    save: gr.Button
    status: gr.Markdown


def feedback_box() -> Box:
    """The 👎 box, hidden until a 👎; call where it should appear."""
    with gr.Group(visible=False, elem_id="feedback") as group:
        heading = gr.Markdown(elem_id="feedback-heading")
        expected = gr.Textbox(label="What should it have said?", elem_id="feedback-expected",
                              max_lines=2, placeholder="the fact the answer should contain, "
                                                       "e.g. December 2021")
        missing = gr.Checkbox(label="Not in the corpus", elem_id="feedback-missing")
        right = gr.CheckboxGroup(label="Sources that were right", elem_id="feedback-sources")
        save = gr.Button("Save feedback", size="sm", variant="primary", elem_id="feedback-save")
    status = gr.Markdown(elem_id="feedback-status")
    return Box(group, heading, expected, missing, right, save, status)


def wire(pipeline: Pipeline, chatbot: gr.Chatbot, records: gr.State, box: Box,
         private: dict) -> None:
    store = feedback_store(pipeline)
    rated = gr.State(None)  # the record the box is about

    def on_like(shown: list[dict], data: gr.LikeData) -> tuple:
        """Outputs: the box, its heading, fields and sources, the rated record, status."""
        record = next((r for r in shown if r["message"] == data.index), None)
        keep = (gr.update(),) * 6
        if record is None:
            gr.Warning("Only a finished answer can be rated.")
            return (*keep, "")
        if data.liked not in (True, False):  # a rating taken back: the last one stands
            return (*keep, "")
        _rate(store, _pure(record), "up" if data.liked else "down")
        if data.liked:
            return (gr.update(visible=False), *keep[1:5], None, SAVED)
        choices = [(f"[{c['n']}] {c['title'] or c['doc_id']}", c["doc_id"])
                   for c in record["answer"]["citations"]]
        heading = (f"**What should answer {shown.index(record) + 1} have said?** "
                   "Your 👎 is saved; add what you know, then save.")
        return (gr.update(visible=True), heading, "", False,
                gr.update(choices=choices, value=[], visible=bool(choices)), _pure(record), "")

    def on_save(record: dict | None, expected: str, missing: bool, right: list[str]) -> tuple:
        if record is None:
            return gr.update(visible=False), ""
        _rate(store, record, "down", expected, missing, right)
        return gr.update(visible=False), SAVED

    chatbot.like(on_like, [records], [box.group, box.heading, box.expected, box.missing,
                                      box.right, rated, box.status], queue=False, **private)
    box.save.click(on_save, [rated, box.expected, box.missing, box.right],
                   [box.group, box.status], queue=False, **private)


def feedback_api(pipeline: Pipeline, records: gr.State) -> None:
    """`/feedback`: rate an answer that `/chat` gave in this session."""
    store = feedback_store(pipeline)

    def feedback(rating: str, expected: str = "", not_in_corpus: bool = False,
                 sources: list[str] | None = None, turn: float = 0,
                 answers: list[dict] | None = None) -> str:
        """Rate an answer of this session: `rating` "up" or "down"; on "down", optionally
        the fact it should have contained (`expected`) or `not_in_corpus`, and the cited
        doc ids that were right (`sources`; "up" accepts them all). `turn`: which answer,
        1 for the first (default 0: the last)."""
        try:
            rating, expected, missing, accepted, turn = api_inputs(rating, expected, not_in_corpus,
                                                                  sources, turn)
        except ValueError as error:
            raise gr.Error(str(error), print_exception=False) from None
        answers = answers or []
        if not answers:
            raise gr.Error("No answer to rate yet: ask with /chat first.", print_exception=False)
        turn = turn or len(answers)
        if not 1 <= turn <= len(answers):
            raise gr.Error(f"turn must be 1 to {len(answers)}", print_exception=False)
        record = answers[turn - 1]
        number = _rate(store, record, rating, expected, missing, accepted)
        return f"feedback {number} saved ({rating}) on: {record['question']}"

    inputs = [gr.Textbox(visible=False, label="rating"),
              gr.Textbox(value="", visible=False, label="expected"),
              gr.Checkbox(value=False, visible=False, label="not_in_corpus"),
              gr.Dropdown(value=[], choices=[], multiselect=True, allow_custom_value=True,
                          visible=False, label="sources"),
              gr.Number(value=0, visible=False, label="turn", precision=0), records]
    trigger = gr.Button(visible=False)
    # Not preprocessed: api_inputs checks what the client sent (see there).
    trigger.click(feedback, inputs, gr.Textbox(visible=False), api_name="feedback", preprocess=False)
