"""Word .docx files through python-docx: paragraphs and headings in order, each table
row as one line with its cells separated by " | "."""

from io import BytesIO
from zipfile import BadZipFile, ZipFile

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from lxml.etree import LxmlError

from rag.ingest.formats import Extracted, tidy_lines

# A .docx is a zip of XML. Word's own files expand 3 to 20 times; a zip bomb expands
# thousands of times and would take the server's memory before parsing ends.
_MAX_EXPANSION = 100
_MAX_UNPACKED = 256 * 2**20


def read_docx(data: bytes) -> Extracted:
    _refuse_bombs(data)
    try:
        extracted = _extracted(docx.Document(BytesIO(data)))
    except (BadZipFile, PackageNotFoundError, KeyError, ValueError, LxmlError,
            AttributeError) as error:  # AttributeError: XML that is not a Word document
        reason = " ".join(str(error).split())[:160] or type(error).__name__
        raise ValueError(f"not a readable .docx file ({reason})") from None
    if not extracted.text:
        raise ValueError("no text in the document")
    return extracted


def _refuse_bombs(data: bytes) -> None:
    try:
        unpacked = sum(item.file_size for item in ZipFile(BytesIO(data)).infolist())
    except BadZipFile as error:
        raise ValueError(f"not a readable .docx file ({error})") from None
    if unpacked > _MAX_UNPACKED or unpacked > _MAX_EXPANSION * max(len(data), 2**16):
        raise ValueError(f"refused: {len(data) / 2**20:.2g} MB that unpack to "
                         f"{unpacked / 2**20:,.0f} MB, out of proportion for a Word file")


def _extracted(document: Document) -> Extracted:
    lines, heading = [], None
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines += [" | ".join(_unique_cells(row)) for row in block.rows]
            continue
        lines.append(block.text)
        style = block.style.name if block.style is not None else ""
        if heading is None and block.text.strip() and style.startswith(("Title", "Heading")):
            heading = block.text
    text = tidy_lines("\n".join(lines))
    core = document.core_properties
    # Not core.created: it is when the file was made (python-docx's template says 2013),
    # not when the article was published.
    return Extracted(text=text, title=core.title or heading,
                     metadata={"author": core.author} if core.author else {})


def _unique_cells(row) -> list[str]:
    # A merged cell is reported once per grid column it spans: keep it once.
    cells: list[str] = []
    for cell in row.cells:
        text = " ".join(cell.text.split())
        if not cells or cells[-1] != text:
            cells.append(text)
    return cells
