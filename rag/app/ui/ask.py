"""The Ask tab (chat with streamed answers and a sources panel) and the `/chat` API.

Answers come from `Pipeline.stream`, the code behind `rag ask`, so the UI, the API and
the command line answer identically.
"""

import html
from collections.abc import Iterator

import gradio as gr

from rag.answer.backends import available
from rag.answer.question import has_words, readable, too_long
from rag.retrieve.filters import Filters
from rag.index.errors import IndexUnavailable
from rag.pipeline import Pipeline
from rag.prompts import NO_QUESTION
from rag.app.records import answer_record
from rag.app.ui import feedback, history
from rag.app.ui.render import (answer_text, error_message, pending_message, render_answer,
                           render_sources, sources_panel)
from rag.app.ui.style import SCROLL_TO_NEWEST
from rag.app.ui.takeaway import answer_actions

EXAMPLES = [
    "When did Wagner deploy to Mali?",
    "Which Russian force stayed after Wagner left?",
    "What kind of organisation is the Wagner Group?",
    "What did Lavrov promise Mali?",
]


def source_choices(pipeline: Pipeline) -> dict:
    """The source picker's choices as the index holds them now (unchanged if it cannot tell)."""
    try:
        return gr.update(choices=pipeline.sources())
    except IndexUnavailable:  # a question asked now says so in the chat
        return gr.update()


def _filters(pipeline: Pipeline, since: str | None, until: str | None,
             sources: list[str] | None, as_of: str | None = None) -> Filters:
    try:
        return pipeline.filters(since, until, sources or [], as_of)
    except ValueError as error:
        raise gr.Error(f"Filter: {error}", print_exception=False) from None


def ask_tab(app: gr.Blocks, pipeline: Pipeline, answering: dict, private: dict) -> gr.Dropdown:
    """The tab's components and events; call inside the app's `gr.Tab`. Returns the
    source picker, whose choices follow the index."""
    conversations = history.conversation_store(pipeline)
    limit = pipeline.settings.ui.max_text_chars

    def respond(question: str, messages: list, asked: list[str], sections: list[str],
                records: list[dict], browser: dict | None, since: str, until: str,
                sources: list[str], backend: str, as_of: str,
                request: gr.Request) -> Iterator[tuple]:
        """Stream one answer into the chat and its sources into the panel. `asked` holds
        the earlier user questions, `sections` the sources panel's sections, newest first,
        `records` each finished answer's record (rag/app/records.py), saved as it is shown."""
        if refused := too_long(question or "", "a question", limit):  # before any work
            gr.Warning(refused)
            yield question, messages, asked, sections, records, sources_panel(sections)
            return
        question = readable(question)
        if not has_words(question):  # nothing to search for; not a follow-up either
            yield question, messages, asked, sections, records, sources_panel(sections)
            return
        turn = len(asked) + 1
        messages = [*messages, {"role": "user", "content": html.escape(question)},
                    {"role": "assistant", "content": pending_message(question)}]

        def given_back(problem: str) -> tuple:
            """The problem in place of an answer, and the question back in the box."""
            messages[-1] = {"role": "assistant", "content": error_message(problem)}
            return question, messages, asked, sections, records, sources_panel(sections)

        try:
            filters = pipeline.filters(since, until, sources or [], as_of)
        except ValueError as error:
            yield given_back(f"Filter: {error}")
            return
        except IndexUnavailable as error:
            yield given_back(str(error))
            return
        yield "", messages, asked, sections, records, sources_panel(sections)
        try:
            index_empty = pipeline.count() == 0
            for answer in pipeline.stream(question, history=asked, filters=filters,
                                          backend=backend):
                content = render_answer(answer, turn, index_empty, filters.describe())
                if answer.done:
                    record = answer_record(answer, asked, filters, backend, pipeline.store)
                    history.keep(conversations, browser, request, record)
                    records = [*records, {**record, "message": len(messages) - 1}]
                    content += answer_actions(answer, turn)
                messages[-1] = {"role": "assistant", "content": content}
                shown = [render_sources(answer, turn), *sections]
                yield "", messages, [*asked, question], shown, records, sources_panel(shown)
        except IndexUnavailable as error:  # say so in the chat, and give the question back
            yield given_back(str(error))

    def new_conversation() -> tuple:
        return [], [], [], [], sources_panel([]), ""

    def example_question(event: gr.SelectData) -> str:
        return event.value["text"]

    with gr.Row():
        with gr.Column(scale=3, min_width=360):
            chatbot = gr.Chatbot(
                elem_id="chat", show_label=False, height="64vh", layout="panel",
                # Messages are HTML built in render.py: no Markdown, no LaTeX ($ in prices).
                render_markdown=False, latex_delimiters=[], sanitize_html=True,
                allow_tags=False, buttons=[], examples=[{"text": q} for q in EXAMPLES],
                placeholder="**Ask a question about the news articles in the corpus**, "
                            "or start with an example:")
            question_box = gr.Textbox(
                elem_id="question", show_label=False, submit_btn="Ask", autofocus=True,
                interactive=False,  # until the saved conversation is back (history.wire)
                placeholder="Ask a question, e.g. Who backs Africa Corps?")
            with gr.Row():
                clear = gr.Button("New conversation", size="sm", variant="secondary")
                # Only the backends that can run here; hidden when there is no choice.
                choices = list(dict.fromkeys([pipeline.settings.answer.backend,
                                              *available(pipeline.settings)]))
                backend = gr.Radio(choices, value=pipeline.settings.answer.backend,
                                   label="Answer with", elem_id="backend",
                                   visible=len(choices) > 1)
            with gr.Accordion("Filter by date and source", open=False, elem_id="filters"):
                with gr.Row():
                    since = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD",
                                       elem_id="since", max_lines=1)
                    until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD",
                                       elem_id="until", max_lines=1)
                    as_of = gr.Textbox(label="As of (default today)", placeholder="YYYY-MM-DD",
                                       elem_id="as-of", max_lines=1)
                picker = gr.Dropdown(label="Sources (none chosen: all)", multiselect=True,
                                     choices=pipeline.sources(), value=[], elem_id="source-picker")
            box = feedback.feedback_box()
            past = history.past_conversations()
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### Sources")
            sources = gr.HTML(sources_panel([]), elem_id="sources", js_on_load=SCROLL_TO_NEWEST)
    asked = gr.State([])
    sections = gr.State([])
    records = gr.State([])
    browser = history.browser_state(conversations)

    chat_io = {"fn": respond,
               "inputs": [question_box, chatbot, asked, sections, records, browser, since, until,
                          picker, backend, as_of],
               "outputs": [question_box, chatbot, asked, sections, records, sources],
               "show_progress": "hidden", **answering}
    answered = [question_box.submit(**chat_io),
                chatbot.example_select(example_question, None, question_box, queue=False,
                                       **private).then(**chat_io)]
    reset = {"fn": new_conversation,
             "outputs": [chatbot, asked, sections, records, sources, question_box],
             "queue": False, **private}
    clear.click(**reset)
    chatbot.clear(**reset)  # the chatbot's own trash icon
    feedback.wire(pipeline, chatbot, records, box, private)
    history.wire(app, pipeline, conversations, past, browser,
                 [chatbot, asked, sections, records, sources, question_box],
                 [clear.click, chatbot.clear],
                 answered, private)
    return picker


def chat_api(pipeline: Pipeline, answering: dict) -> None:
    """The scripting endpoint `/chat`: hidden components, history kept in the session state."""

    def chat(message: str, asked: list[str], records: list[dict], since: str = "", until: str = "",
             sources: list[str] | None = None,
             as_of: str = "") -> Iterator[tuple[str, list[str], list[dict]]]:
        """Answer a question about the corpus, with [n] citations and their sources.
        Earlier questions of the same session are taken into account for follow-ups.
        Optional: only documents published `since`/`until` (YYYY-MM-DD), from `sources`;
        `as_of` (YYYY-MM-DD) asks as of that date."""
        if refused := too_long(message or "", "a question", pipeline.settings.ui.max_text_chars):
            raise gr.Error(refused, print_exception=False)
        message = readable(message or "")
        if not has_words(message):  # nothing to search for; not a follow-up either
            yield NO_QUESTION, asked, records
            return
        try:
            filters = _filters(pipeline, since, until, sources, as_of)
            for answer in pipeline.stream(message, history=asked, filters=filters):
                if answer.done:  # kept for /feedback
                    records = [*records, answer_record(answer, asked, filters,
                                                       answer.backend, pipeline.store)]
                yield answer_text(answer), [*asked, message], records
        except IndexUnavailable as error:
            raise gr.Error(str(error), print_exception=False) from None

    api_question = gr.Textbox(visible=False)
    api_since = gr.Textbox(value="", visible=False, label="since")
    api_until = gr.Textbox(value="", visible=False, label="until")
    api_sources = gr.Dropdown(value=[], choices=[], multiselect=True, allow_custom_value=True,
                              visible=False, label="sources")
    api_as_of = gr.Textbox(value="", visible=False, label="as_of")
    api_answer = gr.Textbox(visible=False)
    api_asked = gr.State([])
    api_records = gr.State([])
    api_trigger = gr.Button(visible=False)
    api_trigger.click(chat, [api_question, api_asked, api_records, api_since, api_until, api_sources,
                             api_as_of],
                      [api_answer, api_asked, api_records], api_name="chat",
                      **{k: v for k, v in answering.items() if k != "api_visibility"})
    feedback.feedback_api(pipeline, api_records)
