"""The Ask tab (chat with streamed answers and a sources panel) and the `/chat` API.

Answers come from `Pipeline.stream`, the code behind `rag ask`, so the UI, the API and
the command line answer identically.
"""

import html
from collections.abc import Iterator

import gradio as gr

from rag.answer.backends import available
from rag.pipeline import Pipeline
from rag.ui.render import answer_text, pending_message, render_answer, render_sources, sources_panel
from rag.ui.style import SCROLL_TO_NEWEST

EXAMPLES = [
    "When did Wagner deploy to Mali?",
    "Which Russian force stayed after Wagner left?",
    "What kind of organisation is the Wagner Group?",
    "What did Lavrov promise Mali?",
]


def ask_tab(pipeline: Pipeline, serialized: dict, private: dict) -> None:
    """The tab's components and events; call inside the app's `gr.Tab`."""

    def respond(question: str, messages: list, asked: list[str], sections: list[str],
                backend: str) -> Iterator[tuple]:
        """Stream one answer into the chat and its sources into the panel. `asked` holds
        the earlier user questions, `sections` the sources panel's sections, newest first."""
        question = question.strip()
        if not question:
            yield question, messages, asked, sections, sources_panel(sections)
            return
        turn = len(asked) + 1
        messages = [*messages, {"role": "user", "content": html.escape(question)},
                    {"role": "assistant", "content": pending_message(question)}]
        yield "", messages, asked, sections, sources_panel(sections)
        index_empty = pipeline.store.count() == 0
        for answer in pipeline.stream(question, history=asked, backend=backend):
            messages[-1] = {"role": "assistant", "content": render_answer(answer, turn, index_empty)}
            shown = [render_sources(answer, turn), *sections]
            yield "", messages, [*asked, question], shown, sources_panel(shown)

    def new_conversation() -> tuple:
        return [], [], [], sources_panel([]), ""

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
                placeholder="Ask a question, e.g. Who backs Africa Corps?")
            with gr.Row():
                clear = gr.Button("New conversation", size="sm", variant="secondary")
                # Only the backends that can run here; hidden when there is no choice.
                choices = list(dict.fromkeys([pipeline.settings.answer_backend,
                                              *available(pipeline.settings)]))
                backend = gr.Radio(choices, value=pipeline.settings.answer_backend,
                                   label="Answer with", elem_id="backend",
                                   visible=len(choices) > 1)
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### Sources")
            sources = gr.HTML(sources_panel([]), elem_id="sources", js_on_load=SCROLL_TO_NEWEST)
    asked = gr.State([])
    sections = gr.State([])

    chat_io = {"fn": respond, "inputs": [question_box, chatbot, asked, sections, backend],
               "outputs": [question_box, chatbot, asked, sections, sources],
               "show_progress": "hidden", **serialized}
    question_box.submit(**chat_io)
    chatbot.example_select(example_question, None, question_box, queue=False, **private) \
        .then(**chat_io)
    reset = {"fn": new_conversation, "outputs": [chatbot, asked, sections, sources, question_box],
             "queue": False, **private}
    clear.click(**reset)
    chatbot.clear(**reset)  # the chatbot's own trash icon


def chat_api(pipeline: Pipeline) -> None:
    """The scripting endpoint `/chat`: hidden components, history kept in the session state."""

    def chat(message: str, asked: list[str]) -> Iterator[tuple[str, list[str]]]:
        """Answer a question about the corpus, with [n] citations and their sources.
        Earlier questions of the same session are taken into account for follow-ups."""
        for answer in pipeline.stream(message, history=asked):
            yield answer_text(answer), [*asked, message]

    api_question = gr.Textbox(visible=False)
    api_answer = gr.Textbox(visible=False)
    api_asked = gr.State([])
    api_trigger = gr.Button(visible=False)
    api_trigger.click(chat, [api_question, api_asked], [api_answer, api_asked], api_name="chat",
                      concurrency_id="pipeline")
