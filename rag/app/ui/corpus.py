"""The Corpus tab: list what is indexed, add documents by upload, delete them.

The checks and the deletion are `rag.app.services.corpus`'s, shared with `rag delete`;
uploads are ingested incrementally.
"""

import html
from datetime import datetime
from contextlib import suppress
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from rag.index.errors import IndexUnavailable
from rag.ingest.update import IngestReport
from rag.pipeline import Pipeline
from rag.app.services.corpus import (UPLOAD_TYPES, CorpusError, Saved, delete_document,
                                 save_upload)

DOCUMENT_COLUMNS = ["ID", "Title", "Published", "Source", "Chunks", "Ingested (UTC)"]
SORTS = ["Newest first", "Source", "Title", "ID"]
REPLACE_LABEL = "Replace files with the same name"


def forget_upload(file: Path) -> None:
    """Remove Gradio's cached copy of an upload, served by its path until deleted: once
    handled, the only copy is the corpus folder's (or none, if refused)."""
    cache = Path(get_upload_folder()).resolve()
    path = file.resolve()
    if path.is_relative_to(cache) and path != cache:
        path.unlink(missing_ok=True)
        with suppress(OSError):  # its folder, once empty
            path.parent.rmdir()


def documents_rows(pipeline: Pipeline, sort: str = "Newest first") -> list[list]:
    rows = [[d.doc_id, d.title, str(d.metadata.get("published_at", "")),
             str(d.metadata.get("source", "")),
             d.chunks if d.complete else f"{d.chunks}/{d.expected_chunks}", _when(d.ingested_at)]
            for d in pipeline.documents()]  # by ID
    if sort == "Title":
        rows.sort(key=lambda row: row[1].casefold())
    elif sort in ("Newest first", "Source"):
        rows.sort(key=lambda row: row[2], reverse=True)  # ISO dates sort as text; undated last
        if sort == "Source":  # stable: newest first within a source, unknown sources last
            rows.sort(key=lambda row: (not row[3], row[3].casefold()))
    return rows


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def status_html(notes: list[str], errors: list[str]) -> str:
    items = [f"<li>{html.escape(n)}</li>" for n in notes]
    items += [f'<li class="rag-error">{html.escape(e)}</li>' for e in errors]
    return f'<ul class="rag-status">{"".join(items)}</ul>'


def _ingest_notes(saved: list[Saved], report: IngestReport) -> list[str]:
    notes = [f"Saved to the corpus folder: {', '.join(s.name for s in saved)}."]
    notes += [f"{s.kept_both} was there already, with other content: both are kept (tick "
              f"\"{REPLACE_LABEL}\" to replace it instead)." for s in saved if s.kept_both]
    notes += [f"Replaced {s.name}; the old file is kept as {s.replaced} in the corpus folder."
              for s in saved if s.replaced]
    notes.append(f"Index: {len(report.added)} added, {len(report.updated)} updated, "
                 f"{len(report.removed)} removed, {report.unchanged} unchanged; "
                 f"{report.total_chunks} chunks in total ({report.seconds:.1f}s).")
    return notes


def _about(where: str, names: list[str]) -> bool:
    """Whether a load error's place ("x.txt" or "x.jsonl:3") is one of these files."""
    return where.rsplit(":", 1)[0] in names or where in names


def corpus_tab(app: gr.Blocks, pipeline: Pipeline, serialized: dict, private: dict) -> None:
    """The tab's components and events; call inside the app's `gr.Tab`."""
    settings = pipeline.settings

    def document_choices(sort: str = SORTS[0]) -> tuple:
        try:
            rows = documents_rows(pipeline, sort)
        except IndexUnavailable:  # the status line of the action says why
            rows = []
        return rows, gr.update(choices=[row[0] for row in rows], value=None)

    def upload(files: list[str] | None, replace: bool, sort: str,
               progress: gr.Progress = gr.Progress()) -> tuple:
        saved: list[Saved] = []
        errors = []
        for file in files or []:
            try:
                saved.append(save_upload(Path(file), settings, replace))
            except CorpusError as error:
                errors.append(str(error))
            finally:
                forget_upload(Path(file))
        names = [s.name for s in saved]
        if not saved:
            return (status_html([], errors or ["No file was uploaded."]), *document_choices(sort), None)

        def embedded(done: int, total: int) -> None:
            progress((done, total), desc="Embedding", unit="chunks")

        progress(0, desc="Reading the uploaded files")
        try:
            # Only the uploaded files: the rest of the corpus folder is indexed already.
            report = pipeline.ingest(Path(settings.corpus_dir), progress=embedded, only=names)
        except IndexUnavailable as error:
            notes = [f"Saved to the corpus folder: {', '.join(names)}; not indexed yet."]
            return (status_html(notes, [*errors, str(error)]), *document_choices(sort), None)
        errors += [f"skipped {e}" for e in report.errors if _about(e.where, names)]
        notes = _ingest_notes(saved, report) + [f"Note: {w}" for w in report.warnings]
        return (status_html(notes, errors), *document_choices(sort), None)

    def delete(doc_id: str | None, sort: str) -> tuple:
        if not doc_id:
            return (status_html([], ["Choose a document to delete first."]), *document_choices(sort))
        try:
            note, errors = [delete_document(pipeline, doc_id)], []
        except (CorpusError, IndexUnavailable) as error:
            note, errors = [], [str(error)]
        return (status_html(note, errors), *document_choices(sort))

    def pick(event: gr.SelectData) -> str:
        return event.row_value[0]

    gr.Markdown(f"Add articles as {', '.join(UPLOAD_TYPES)} files (up to "
                f"{settings.ui.max_upload_mb:g} MB each): saved web pages, PDF and Word files "
                "keep their date, source and author. They are saved in the corpus "
                "folder and indexed right away; unchanged documents are not re-embedded.")
    files = gr.File(label="Add documents", file_count="multiple", file_types=UPLOAD_TYPES,
                    height=150, elem_id="upload")
    replace = gr.Checkbox(False, label=REPLACE_LABEL, elem_id="replace",
                          info="Otherwise an upload named like a file in the folder is saved beside it "
                               "as \"name (2)\". A replaced file is kept under .replaced/.")
    status = gr.HTML(elem_id="corpus-status")
    sort = gr.Radio(SORTS, value=SORTS[0], label="Sort by", elem_id="sort")
    table = gr.Dataframe(headers=DOCUMENT_COLUMNS, interactive=False, wrap=True,
                         column_widths=["18%", "38%", "11%", "15%", "6%", "12%"], max_height=420,
                         show_search="search", buttons=["fullscreen"],
                         label="Indexed documents (click a row to select it for deletion)",
                         elem_id="documents")
    with gr.Row():
        chosen = gr.Dropdown(label="Document to delete", choices=[], scale=4,
                             elem_id="delete-choice")
        remove = gr.Button("Delete document", variant="stop", scale=1, size="md",
                           elem_id="delete")

    files.upload(upload, [files, replace, sort], [status, table, chosen, files], **serialized)
    remove.click(delete, [chosen, sort], [status, table, chosen], **serialized)
    table.select(pick, None, chosen, queue=False, **private)
    sort.change(document_choices, sort, [table, chosen], queue=False, **private)
    app.load(document_choices, sort, [table, chosen], **private)
