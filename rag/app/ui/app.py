"""The chat UI as one Gradio app: the Ask tab, the Corpus tab and the `/chat` API."""

import sys
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.app.ui import history, takeaway
from rag.app.ui.ask import ask_tab, chat_api, source_choices
from rag.app.ui.corpus import corpus_tab
from rag.app.ui.login import ClientAddress, LoginGuard
from rag.app.ui.style import CSS, THEME
from rag.app.ui.timeline import timeline_api, timeline_tab


def build_app(pipeline: Pipeline) -> gr.Blocks:
    private: dict = {"api_visibility": "private"}
    # One writer at a time: ingesting and deleting take turns. Answers run side by side,
    # apart from the writers' queue (they carry their own request state, and BM25 follows a
    # write by itself), so one user's slow LLM answer never holds up the others'.
    serialized: dict = {**private, "concurrency_id": "pipeline"}
    answering: dict = {**private, "concurrency_id": "answer",
                       "concurrency_limit": pipeline.settings.ui.chat_concurrency}

    with gr.Blocks(title="rag · ask the news corpus") as app:
        gr.Markdown("## Ask the news corpus\nAnswers are sentences quoted from the indexed "
                    "articles. Click a **[n]** marker to see its source passage, where the "
                    "quoted sentences are highlighted. Add or remove articles in the **Corpus** tab.")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask") as ask:
                picker = ask_tab(app, pipeline, answering, private)
            with gr.Tab("Corpus", id="corpus"):
                corpus_tab(app, pipeline, serialized, private)
            with gr.Tab("Timeline", id="timeline"):
                timeline_tab(pipeline, answering)
        chat_api(pipeline, answering)
        timeline_api(pipeline, answering)
        # Uploads and deletions change which sources there are to pick.
        for event in (app.load, ask.select):
            event(lambda: source_choices(pipeline), None, picker, queue=False, **private)
    return app


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """RAG_UI__AUTH's "user:password" as Gradio wants it; None leaves the app open."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not (sep and user and password):
        raise ValueError("RAG_UI__AUTH must look like user:password")
    return user, password


def _guard(value: str | None) -> LoginGuard | None:
    credentials = parse_auth(value)
    return LoginGuard(*credentials) if credentials else None


def launch(app: gr.Blocks, settings: Settings, **options) -> tuple:
    """Start the server as `serve` does; `options` go to Blocks.launch (tests pass
    prevent_thread_lock=True)."""
    return app.launch(
        server_name=settings.ui.host, server_port=settings.ui.port, auth=_guard(settings.ui.auth),
        auth_message="Sign in to ask the news corpus.",
        max_file_size=int(settings.ui.max_upload_mb * 2**20),
        theme=THEME, css=CSS + takeaway.CSS + history.CSS, head=takeaway.SCRIPT, footer_links=["api"],
        ssr_mode=False, pwa=False, mcp_server=False,
        # The login guard locks out one client address at a time; this tells it whose login it is.
        app_kwargs={"middleware": [Middleware(ClientAddress)]}, **options,
    )


def serve(settings: Settings) -> None:
    parse_auth(settings.ui.auth)  # a malformed RAG_UI__AUTH fails before the model loads
    pipeline = Pipeline(settings)
    pipeline.check_embedders()  # an index other embedders wrote fails here, not at the first question
    with pipeline.writer:  # the UI owns the index while it runs
        if Path(settings.corpus_dir).is_dir():
            # Up to date with the corpus folder before the first question: an upload that a
            # crash interrupted, or files copied in by hand, are indexed now.
            report = pipeline.ingest()
            for error in report.errors:
                print(f"skipped {error}", file=sys.stderr)
            print(f"corpus folder {settings.corpus_dir}: {report.summary()}", file=sys.stderr)
        launch(build_app(pipeline), settings)
