"""Word .docx files through python-docx: paragraphs and headings in order, each table
row as one line with its cells separated by " | "."""

from io import BytesIO
from zipfile import BadZipFile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from rag.formats import Extracted, tidy_lines


def read_docx(data: bytes) -> Extracted:
    try:
        document = docx.Document(BytesIO(data))
    except (BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise ValueError(f"not a readable .docx file ({error})") from None
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
    if not text:
        raise ValueError("no text in the document")
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
