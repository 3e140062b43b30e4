"""Saved news pages: the article text and its metadata, through trafilatura.

trafilatura is built for exactly this (news boilerplate removal): it drops menus,
cookie banners, share buttons, comments and "related" lists, and reads the title,
date, author and site from JSON-LD, OpenGraph and <meta> tags.
"""

import trafilatura

from rag.ingest.formats import Extracted, tidy_lines


def read_html(html: str) -> Extracted:
    page = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, include_links=False, favor_precision=True, fast=True,
        # No `deduplicate`: its cache of seen text is global to the process, so a page read
        # a few times (re-ingested, uploaded again, in a long-running server) came back empty.
        deduplicate=False,
        # Only a date the page states as its date (markup, a dateline, its URL): the
        # extensive search guesses from any year in the text, or a copyright line, and
        # falls back to a default (1995-01-01, 2000-01-01) when it finds nothing.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = tidy_lines(page.text or "") if page is not None else ""
    if not text:
        raise ValueError("no article text found in the page")
    metadata = {"author": page.author, "url": page.url, "site_name": page.sitename,
                "published_at": page.date}
    return Extracted(text=text, title=page.title,
                     metadata={k: v for k, v in metadata.items() if v})
