"""The chat UI: ask the corpus, see each answer's sources with the cited sentences
highlighted, and manage what is indexed. One module a part: `render` (answers as
HTML/text), `ask` (the Ask tab and `/chat`), `feedback` (👍/👎 and `/feedback`),
`takeaway` (Copy as Markdown, Download), `history` (saved conversations), `corpus` (the
Corpus tab), `app` (the whole)."""

from rag.app.services.corpus import CorpusError, corpus_name, delete_document, save_upload
from rag.app.ui.app import build_app, launch, parse_auth, serve
from rag.app.ui.render import highlight, render_answer, render_source

__all__ = ["CorpusError", "build_app", "corpus_name", "delete_document", "highlight", "launch",
           "parse_auth", "render_answer", "render_source", "save_upload", "serve"]
