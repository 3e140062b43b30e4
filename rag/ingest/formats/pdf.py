"""PDF files: the text layer of each page, through pypdf.

Pages are joined by line breaks and their start offsets kept, so every chunk knows
the page it comes from. A PDF without a text layer (a scan) is refused as such:
indexing it empty would hide that it was never read.
"""

import logging
from collections.abc import Mapping
from io import BytesIO

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from rag.ingest.formats import Extracted, tidy_lines

# pypdf logs what it tolerates or fails on to stderr; what matters reaches the user as
# the file's one-line error instead.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def read_pdf(data: bytes) -> Extracted:
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("encrypted PDF, cannot read it without the password")
        pages = [tidy_lines(page.extract_text() or "") for page in reader.pages]
        info: Mapping = reader.metadata or {}
    except (PdfReadError, OSError, KeyError, TypeError) as error:
        raise ValueError(f"not a readable PDF ({error})") from None
    if not pages:
        raise ValueError("a PDF with no pages")
    if not any(pages):
        raise ValueError(f"scanned PDF without a text layer ({len(pages)} pages of images only): "
                         "run OCR on it first")
    text, starts = "", []
    for page in pages:
        starts.append(len(text) + (1 if text else 0) if page else -1)
        text = f"{text}\n{page}" if text and page else text or page
    metadata = {"author": info.get("/Author"), "published_at": info.get("/CreationDate"),
                "publisher": info.get("/Publisher")}
    return Extracted(text=text, title=info.get("/Title") or None,
                     metadata={k: str(v) for k, v in metadata.items() if v},
                     page_starts=starts)


def page_at(page_starts: list[int], offset: int) -> int:
    """The 1-based page holding character `offset` (pages without text hold none)."""
    page = 1
    for number, start in enumerate(page_starts, start=1):
        if 0 <= start <= offset:
            page = number
    return page
