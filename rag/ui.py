"""The chat UI: ask the corpus, see each answer's sources with the cited sentences
highlighted, and manage what is indexed.

Answers come from `Pipeline.stream`, the code behind `rag ask`. Everything taken from
the corpus or typed by a user is HTML-escaped here before it reaches the page; the
only markup in a chat message is our own (source cards, <mark>, and [n] links to
them), and the Chatbot sanitises it once more in the browser.
"""

import html
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import gradio as gr

from rag.answer import Answer
from rag.answer.base import Citation
from rag.ingest import IngestReport
from rag.load import SUFFIXES, load_corpus
from rag.pipeline import Pipeline
from rag.prompts import NO_INDEX
from rag.settings import Settings

EXAMPLES = [
    "When did Wagner deploy to Mali?",
    "Which Russian force stayed after Wagner left?",
    "What kind of organisation is the Wagner Group?",
    "What did Lavrov promise Mali?",
]
UPLOAD_TYPES = sorted(SUFFIXES)
DOCUMENT_COLUMNS = ["ID", "Title", "Chunks", "Ingested (UTC)"]

# System fonts only: the default theme would fetch Google Fonts, and the app runs offline.
THEME = gr.themes.Default(
    font=["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"],
)
CSS = """
.rag-answer p { margin: 0 0 .5em 0; }
.rag-searched, .rag-hint { font-size: .85em; opacity: .75; }
.rag-pending { opacity: .7; font-style: italic; }
.rag-notfound { font-weight: 600; }
a.rag-cite { text-decoration: none; font-weight: 600; padding: 0 .25em; border-radius: 4px;
             color: var(--color-accent); background: var(--color-accent-soft); }
a.rag-cite:hover { text-decoration: underline; }
/* Gradio sets overflow on blocks itself; the panel must scroll on its own, not the page. */
#sources { max-height: 64vh; overflow-y: auto !important; overflow-anchor: none; padding-right: .4em; }
.rag-group h4 { margin: .2em 0 .4em 0; font-size: .95em; }
.rag-group + .rag-group { margin-top: 1.2em; padding-top: .8em;
                          border-top: 1px solid var(--border-color-primary); }
.rag-question { font-weight: 400; }
.rag-source { border-left: 3px solid var(--border-color-primary); padding: .3em .7em;
              margin: .5em 0; border-radius: 4px; scroll-margin: .5em; }
.rag-source:target { border-left-color: var(--color-accent);
                     background: var(--background-fill-secondary);
                     animation: rag-flash 1.6s ease-out; }
@keyframes rag-flash { from { box-shadow: 0 0 0 3px var(--color-accent); } to { box-shadow: none; } }
.rag-source-meta { font-size: .8em; opacity: .75; }
.rag-passage { white-space: pre-wrap; font-size: .9em; margin-top: .3em; line-height: 1.45; }
.rag-passage mark { background: #fde68a; color: #1f2937; padding: 0 .1em; border-radius: 2px; }
.rag-status .rag-error { color: var(--error-text-color, #b91c1c); }
"""

# The newest answer's sources go on top: show them when they arrive, even if the panel
# was scrolled down to an older answer's source.
SCROLL_TO_NEWEST = "watch('value', () => element.closest('#sources')?.scrollTo(0, 0));"

_MARKER = re.compile(r"\[(\d+)\]")


# --- Rendering answers --------------------------------------------------------------

def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` escaped, with the given character spans wrapped in <mark>."""
    parts, cursor = [], 0
    for start, end in sorted(spans):
        start, end = max(start, cursor), min(end, len(text))
        if start >= end:
            continue  # overlaps what is already marked, or out of range
        parts += [html.escape(text[cursor:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return "".join(parts)


def source_id(turn: int, n: int) -> str:
    # Unique per chat turn: every answer numbers its sources from [1].
    return f"src-{turn}-{n}"


def _linked_answer(answer: Answer, turn: int) -> str:
    cited = {c.n: c for c in answer.citations}

    def link(match: re.Match) -> str:
        citation = cited.get(int(match.group(1)))
        if citation is None:
            return match.group(0)
        return (f'<a class="rag-cite" href="#{source_id(turn, citation.n)}" '
                f'title="{html.escape(citation.title)}">[{citation.n}]</a>')

    return _MARKER.sub(link, html.escape(answer.answer))


def _dated(citation: Citation) -> list[str]:
    """The document id, then its date and source when the corpus gave them."""
    meta = citation.metadata
    return [citation.doc_id, *(str(meta[key]) for key in ("published_at", "source") if meta.get(key))]


def _source_details(citation: Citation) -> list[str]:
    details = [html.escape(part) for part in _dated(citation)]
    url = str(citation.metadata.get("url", ""))
    if url.startswith(("http://", "https://")):  # never a javascript: or data: link
        details.append(f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">'
                       "original article</a>")
    return details


def render_source(citation: Citation, turn: int) -> str:
    return (f'<div class="rag-source" id="{source_id(turn, citation.n)}">'
            f"<div><strong>[{citation.n}] {html.escape(citation.title or citation.doc_id)}"
            "</strong></div>"
            f'<div class="rag-source-meta">{" · ".join(_source_details(citation))}</div>'
            f'<div class="rag-passage">{highlight(citation.text, citation.highlights)}</div></div>')


def render_answer(answer: Answer, turn: int, index_empty: bool = False) -> str:
    """One assistant chat message: the answer with its [n] markers linked to the sources panel."""
    classes = "rag-answer rag-done" if answer.done else "rag-answer"
    parts = [f'<div class="{classes}">']
    if answer.searched_for and answer.searched_for != answer.question:
        parts.append('<p class="rag-searched">searched for: '
                     f"“{html.escape(answer.searched_for)}”</p>")
    if answer.abstained:
        hint = (f"{NO_INDEX} Or add documents in the Corpus tab." if index_empty else
                "No passage in the corpus answers this well enough, so nothing is cited. "
                "Try rephrasing, or add documents in the Corpus tab.")
        parts.append(f'<p class="rag-notfound">Not found in the corpus</p>'
                     f'<p class="rag-text">{html.escape(answer.answer)}</p>'
                     f'<p class="rag-hint">{html.escape(hint)}</p>')
    else:
        parts.append(f'<p class="rag-text">{_linked_answer(answer, turn)}</p>')
    parts.append("</div>")
    return "".join(parts)


def render_sources(answer: Answer, turn: int) -> str:
    """The sources panel's section for one answer."""
    heading = (f'<h4>Answer {turn}: <span class="rag-question">“{html.escape(answer.question)}”'
               "</span></h4>")
    if answer.abstained or not answer.citations:
        body = '<p class="rag-hint">Not found in the corpus: nothing to cite.</p>'
    else:
        body = "".join(render_source(c, turn) for c in answer.citations)
    return f'<section class="rag-group" id="answer-{turn}">{heading}{body}</section>'


def sources_panel(sections: list[str]) -> str:
    if not sections:
        return ('<p class="rag-hint">The sources of each answer appear here, newest first, with '
                "the quoted sentences highlighted. Click a [n] marker in an answer to jump to "
                "its passage.</p>")
    return "".join(sections)


def pending_message(question: str) -> str:
    return ('<div class="rag-answer"><p class="rag-pending">Searching the corpus for '
            f"“{html.escape(question)}”…</p></div>")


def answer_text(answer: Answer) -> str:
    """Plain text for API callers: the answer with [n] markers, then its sources."""
    lines = []
    if answer.searched_for and answer.searched_for != answer.question:
        lines.append(f"(searched for: {answer.searched_for})")
    lines.append(answer.answer)
    if answer.citations:
        lines += ["", "Sources:"]
    for c in answer.citations:
        cited = " … ".join(" ".join(c.text[s:e].split()) for s, e in c.highlights)
        lines.append(f"[{c.n}] {c.title} ({', '.join(_dated(c))})\n    “{cited}”")
    return "\n".join(lines)


# --- Corpus management -------------------------------------------------------------

class CorpusError(ValueError):
    """An upload or deletion refused, with the reason to show the user."""


def corpus_name(uploaded: str) -> str:
    """The name an uploaded file gets in the corpus folder: its base name, if acceptable."""
    name = uploaded.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name.startswith(".") or ".." in name or any(ord(ch) < 32 for ch in name):
        raise CorpusError(f"{uploaded!r}: not an acceptable file name")
    if Path(name).suffix.lower() not in SUFFIXES:
        raise CorpusError(f"{name}: unsupported file type (use {', '.join(UPLOAD_TYPES)})")
    return name


def _inside(folder: Path, relative: str) -> Path | None:
    """folder/relative, or None if that would lie outside the folder."""
    root = folder.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path != root else None


def save_upload(uploaded: Path, settings: Settings) -> str:
    """Check one uploaded file and copy it into the corpus folder; returns its name there."""
    name = corpus_name(uploaded.name)
    size_mb = uploaded.stat().st_size / 2**20
    if size_mb > settings.max_upload_mb:
        raise CorpusError(f"{name}: {size_mb:.3g} MB is over the {settings.max_upload_mb:g} MB "
                          "upload limit (RAG_MAX_UPLOAD_MB)")
    # Read it as ingest will before it enters the corpus: a file with nothing indexable
    # is refused instead of failing on every later ingest.
    loaded = load_corpus(uploaded)
    if not loaded.documents:
        reasons = "; ".join(e.reason for e in loaded.errors) or "no documents"
        raise CorpusError(f"{name}: {reasons}")
    corpus = Path(settings.corpus_dir)
    corpus.mkdir(parents=True, exist_ok=True)
    target = _inside(corpus, name)  # resolved: a symlink in the corpus cannot redirect the write
    if target is None:
        raise CorpusError(f"{name}: not an acceptable file name")
    shutil.copyfile(uploaded, target)
    return name


def delete_document(pipeline: Pipeline, doc_id: str) -> str:
    """Remove a document from the index, and its file from the corpus folder when the
    file holds only that document (so the next ingest does not bring it back)."""
    doc = pipeline.store.documents().get(doc_id)
    if doc is None:
        raise CorpusError(f"{doc_id}: not in the index")
    pipeline.delete(doc_id)
    if Path(doc.source_path).suffix.lower() == ".jsonl":
        return (f"Removed {doc_id} from the index. It is still a line of {doc.source_path}, so "
                "the next ingest of the corpus folder will add it back unless that line goes.")
    file = _inside(Path(pipeline.settings.corpus_dir), doc.source_path)
    if file is not None and file.is_file():
        file.unlink()
        return f"Removed {doc_id} from the index and deleted its file from the corpus folder."
    return f"Removed {doc_id} from the index."


def documents_rows(pipeline: Pipeline) -> list[list]:
    return [[d.doc_id, d.title, d.chunks if d.complete else f"{d.chunks}/{d.expected_chunks}",
             _when(d.ingested_at)] for d in pipeline.documents()]


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def status_html(notes: list[str], errors: list[str]) -> str:
    items = [f"<li>{html.escape(n)}</li>" for n in notes]
    items += [f'<li class="rag-error">{html.escape(e)}</li>' for e in errors]
    return f'<ul class="rag-status">{"".join(items)}</ul>'


def _ingest_notes(saved: list[str], report: IngestReport) -> list[str]:
    return [f"Saved to the corpus folder: {', '.join(saved)}.",
            f"Index: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {report.unchanged} unchanged; "
            f"{report.total_chunks} chunks in total ({report.seconds:.1f}s)."]


# --- The app -----------------------------------------------------------------------

def build_app(pipeline: Pipeline) -> gr.Blocks:
    settings = pipeline.settings

    def respond(question: str, messages: list, asked: list[str], sections: list[str]) -> Iterator[tuple]:
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
        for answer in pipeline.stream(question, history=asked):
            messages[-1] = {"role": "assistant", "content": render_answer(answer, turn, index_empty)}
            shown = [render_sources(answer, turn), *sections]
            yield "", messages, [*asked, question], shown, sources_panel(shown)

    def chat(message: str, asked: list[str]) -> Iterator[tuple[str, list[str]]]:
        """Answer a question about the corpus, with [n] citations and their sources.
        Earlier questions of the same session are taken into account for follow-ups."""
        for answer in pipeline.stream(message, history=asked):
            yield answer_text(answer), [*asked, message]

    def new_conversation() -> tuple:
        return [], [], [], sources_panel([]), ""

    def example_question(event: gr.SelectData) -> str:
        return event.value["text"]

    def document_choices() -> tuple:
        rows = documents_rows(pipeline)
        return rows, gr.update(choices=[row[0] for row in rows], value=None)

    def upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple:
        saved, errors = [], []
        for file in files or []:
            try:
                saved.append(save_upload(Path(file), settings))
            except CorpusError as error:
                errors.append(str(error))
        if not saved:
            return (status_html([], errors or ["No file was uploaded."]), *document_choices(), None)

        def embedded(done: int, total: int) -> None:
            progress((done, total), desc="Embedding", unit="chunks")

        progress(0, desc="Reading the corpus folder")
        report = pipeline.ingest(Path(settings.corpus_dir), progress=embedded)
        errors += [f"skipped {e}" for e in report.errors]
        return (status_html(_ingest_notes(saved, report), errors), *document_choices(), None)

    def delete(doc_id: str | None) -> tuple:
        if not doc_id:
            return (status_html([], ["Choose a document to delete first."]), *document_choices())
        try:
            note, errors = [delete_document(pipeline, doc_id)], []
        except CorpusError as error:
            note, errors = [], [str(error)]
        return (status_html(note, errors), *document_choices())

    def pick(event: gr.SelectData) -> str:
        return event.row_value[0]

    private: dict = {"api_visibility": "private"}
    # One pipeline, one writer at a time: answering, ingesting and deleting take turns.
    serialized: dict = {**private, "concurrency_id": "pipeline"}

    with gr.Blocks(title="rag · ask the news corpus") as app:
        gr.Markdown("## Ask the news corpus\nAnswers are sentences quoted from the indexed "
                    "articles. Click a **[n]** marker to see its source passage, where the "
                    "quoted sentences are highlighted. Add or remove articles in the **Corpus** tab.")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row():
                    with gr.Column(scale=3, min_width=360):
                        chatbot = gr.Chatbot(
                            elem_id="chat", show_label=False, height="64vh", layout="panel",
                            # Messages are HTML built above: no Markdown, no LaTeX ($ in prices).
                            render_markdown=False, latex_delimiters=[], sanitize_html=True,
                            allow_tags=False, buttons=[], examples=[{"text": q} for q in EXAMPLES],
                            placeholder="**Ask a question about the news articles in the corpus**, "
                                        "or start with an example:")
                        question_box = gr.Textbox(
                            elem_id="question", show_label=False, submit_btn="Ask", autofocus=True,
                            placeholder="Ask a question, e.g. Who backs Africa Corps?")
                        clear = gr.Button("New conversation", size="sm", variant="secondary")
                    with gr.Column(scale=2, min_width=320):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(sources_panel([]), elem_id="sources",
                                          js_on_load=SCROLL_TO_NEWEST)
                asked = gr.State([])
                sections = gr.State([])
            with gr.Tab("Corpus", id="corpus"):
                gr.Markdown(f"Add articles as {', '.join(UPLOAD_TYPES)} files (up to "
                            f"{settings.max_upload_mb:g} MB each). They are saved in the corpus "
                            "folder and indexed right away; unchanged documents are not re-embedded.")
                files = gr.File(label="Add documents", file_count="multiple", file_types=UPLOAD_TYPES,
                                height=150, elem_id="upload")
                status = gr.HTML(elem_id="corpus-status")
                table = gr.Dataframe(headers=DOCUMENT_COLUMNS, interactive=False, wrap=True,
                                     column_widths=["24%", "52%", "8%", "16%"], max_height=420,
                                     show_search="search", buttons=["fullscreen"],
                                     label="Indexed documents (click a row to select it for deletion)",
                                     elem_id="documents")
                with gr.Row():
                    chosen = gr.Dropdown(label="Document to delete", choices=[], scale=4,
                                         elem_id="delete-choice")
                    remove = gr.Button("Delete document", variant="stop", scale=1, size="md",
                                       elem_id="delete")
        # The scripting endpoint: hidden components, history kept in the session state.
        api_question = gr.Textbox(visible=False)
        api_answer = gr.Textbox(visible=False)
        api_asked = gr.State([])
        api_trigger = gr.Button(visible=False)

        chat_io = {"fn": respond, "inputs": [question_box, chatbot, asked, sections],
                   "outputs": [question_box, chatbot, asked, sections, sources],
                   "show_progress": "hidden", **serialized}
        question_box.submit(**chat_io)
        chatbot.example_select(example_question, None, question_box, queue=False, **private) \
            .then(**chat_io)
        reset = {"fn": new_conversation, "outputs": [chatbot, asked, sections, sources, question_box],
                 "queue": False, **private}
        clear.click(**reset)
        chatbot.clear(**reset)  # the chatbot's own trash icon
        api_trigger.click(chat, [api_question, api_asked], [api_answer, api_asked], api_name="chat",
                          concurrency_id="pipeline")

        files.upload(upload, files, [status, table, chosen, files], **serialized)
        remove.click(delete, chosen, [status, table, chosen], **serialized)
        table.select(pick, None, chosen, queue=False, **private)
        app.load(document_choices, None, [table, chosen], **private)
    return app


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """RAG_AUTH's "user:password" as Gradio wants it; None leaves the app open."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not (sep and user and password):
        raise ValueError("RAG_AUTH must look like user:password")
    return user, password


def launch(app: gr.Blocks, settings: Settings, **options) -> tuple:
    """Start the server as `serve` does; `options` go to Blocks.launch (tests pass
    prevent_thread_lock=True)."""
    return app.launch(
        server_name=settings.host, server_port=settings.port, auth=parse_auth(settings.auth),
        auth_message="Sign in to ask the news corpus.",
        max_file_size=int(settings.max_upload_mb * 2**20),
        theme=THEME, css=CSS, footer_links=["api"],
        ssr_mode=False, pwa=False, mcp_server=False, **options,
    )


def serve(settings: Settings) -> None:
    parse_auth(settings.auth)  # a malformed RAG_AUTH fails before the model loads
    pipeline = Pipeline(settings)
    with pipeline.writer:  # the UI owns the index while it runs
        launch(build_app(pipeline), settings)
