"""Metadata for files that cannot carry their own (plain text without front matter, a
scanned page's text): a `metadata.csv` beside them, one line per file::

    path,title,published_at,source,url
    wagner-report.txt,Wagner leaves Mali,2025-06-06,Reuters,https://example.org/a

`path` is relative to the folder holding `metadata.csv`; empty cells say nothing. What a
file states itself (front matter, a page's tags) comes first; the sidecar fills the gaps.
"""

import csv
import io
from pathlib import Path

from rag.time.days import iso_date

NAME = "metadata.csv"
COLUMNS = ("path", "title", "published_at", "source", "url")


def read_sidecar(folder: Path) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """({file name: its fields}, [(where, problem)]) for `folder/metadata.csv`; a line
    with a problem is reported and left out, the others are kept."""
    path = folder / NAME
    if not path.is_file():
        return {}, []
    try:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as error:
        return {}, [(NAME, f"cannot be read ({error})")]
    if not rows or [cell.strip().lower() for cell in rows[0]] != list(COLUMNS):
        return {}, [(NAME, f"the first line must be {','.join(COLUMNS)}")]
    fields, problems = {}, []
    for number, row in enumerate(rows[1:], start=2):
        where = f"{NAME}:{number}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            problems.append((where, f"expected {len(COLUMNS)} cells, found {len(row)}"))
            continue
        values = {key: cell.strip() for key, cell in zip(COLUMNS, row) if cell.strip()}
        name = values.pop("path", "")
        if not name or not (folder / name).is_file():
            problems.append((where, f"no file {name!r} beside it"))
        elif "published_at" in values and iso_date(values["published_at"]) is None:
            problems.append((where, f"published_at {values['published_at']!r} is not a date"))
        else:
            fields[Path(name).as_posix()] = values
    return fields, problems
