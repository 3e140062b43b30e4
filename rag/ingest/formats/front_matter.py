"""A front-matter block at the top of a text or Markdown file::

    ---
    title: Junta extends transition
    date: 2025-05-14
    source: Reuters
    ---

Only flat `key: value` lines are read (the common subset of YAML front matter);
the block is removed from the indexed text.
"""

import re

_BLOCK = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(the block's fields, the text after it); ({}, text) when there is no block."""
    match = _BLOCK.match(text)
    if not match:
        return {}, text
    fields = {}
    for line in match.group(1).split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parsed = _LINE.match(line)
        if parsed is None:  # not flat key: value lines, so not front matter we understand
            return {}, text
        fields[parsed.group(1).lower()] = parsed.group(2).strip("\"'")
    return fields, text[match.end():]
