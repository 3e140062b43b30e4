"""The Timeline tab (dated events about a topic, with [n] links to their passages and a
chart) and the `/timeline` API; both from `rag.answer.timeline`, the code behind `rag timeline`."""

import html

import gradio as gr

from rag.index.errors import IndexUnavailable
from rag.pipeline import Pipeline
from rag.answer.timeline import Timeline, build_timeline, chart
from rag.app.ui.render import error_message, render_source, source_id

# Source cards of the timeline are numbered apart from the chat's answers.
TURN = "timeline"


def render_timeline(timeline: Timeline) -> str:
    if not timeline.events:
        return (f'<p class="rag-hint">No dated events about “{html.escape(timeline.topic)}” '
                "in the corpus.</p>")
    rows = []
    for event in timeline.events:
        links = "".join(f'<a class="rag-cite" href="#{source_id(TURN, n)}">[{n}]</a>'
                        for n in event.citations)
        rows.append(f'<li class="rag-event rag-{event.dated_by}"><span class="rag-when">'
                    f"{html.escape(event.shown)}</span> {html.escape(event.text)} {links}</li>")
    return f'<ol class="rag-timeline">{"".join(rows)}</ol>'


def render_timeline_sources(timeline: Timeline) -> str:
    return "".join(render_source(c, TURN) for c in timeline.citations)


def _timeline(pipeline: Pipeline, topic: str, since: str, until: str,
              as_of: str = "") -> Timeline:
    filters = pipeline.filters(since, until, (), as_of)
    return build_timeline(pipeline, topic, filters.since, filters.until, (), filters.as_of)


def timeline_tab(pipeline: Pipeline, answering: dict) -> None:
    """The tab's components and events; call inside the app's `gr.Tab`."""

    def show(topic: str, since: str, until: str) -> tuple:
        try:
            timeline = _timeline(pipeline, topic, since, until)
        except (ValueError, IndexUnavailable) as error:
            return error_message(str(error)), "", None
        return render_timeline(timeline), render_timeline_sources(timeline), chart(timeline)

    with gr.Row():
        with gr.Column(scale=3, min_width=360):
            topic = gr.Textbox(elem_id="timeline-topic", label="Topic", max_lines=1,
                               submit_btn="Show timeline", placeholder="e.g. Wagner Group in Mali")
            with gr.Row():
                since = gr.Textbox(label="Events from", placeholder="YYYY-MM-DD",
                                   elem_id="timeline-since", max_lines=1)
                until = gr.Textbox(label="Events until", placeholder="YYYY-MM-DD",
                                   elem_id="timeline-until", max_lines=1)
            events = gr.HTML('<p class="rag-hint">Dated events about a topic, oldest first, each '
                             "quoted from an article with its date; undated ones last.</p>",
                             elem_id="timeline")
            plot = gr.Plot(elem_id="timeline-chart", label="Dated events per year", show_label=False)
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### Sources")
            sources = gr.HTML("", elem_id="timeline-sources")
    topic.submit(show, [topic, since, until], [events, sources, plot], show_progress="hidden",
                 **answering)


def timeline_api(pipeline: Pipeline, answering: dict) -> None:
    """The scripting endpoint `/timeline`: the timeline as a JSON object."""

    def timeline(topic: str, since: str = "", until: str = "", as_of: str = "") -> dict:
        """Dated events about `topic`, oldest first, each with its [n] passages; optional
        `since`/`until` (YYYY-MM-DD) bound the events' dates, `as_of` the articles'."""
        try:
            return _timeline(pipeline, topic, since, until, as_of).to_dict()
        except (ValueError, IndexUnavailable) as error:
            raise gr.Error(str(error), print_exception=False) from None

    inputs = [gr.Textbox(value="", visible=False, label=name) for name in ("topic", "since", "until", "as_of")]
    trigger = gr.Button(visible=False)
    trigger.click(timeline, inputs, gr.JSON(visible=False), api_name="timeline",
                  **{k: v for k, v in answering.items() if k != "api_visibility"})
