"""The chat page most browser modules share: one Chromium page on the module's `served`
app (its URL first), skipped without Debian's chromium. A module needing another page
(its own browser context, a login) defines its own `page`, which pytest prefers."""

import pytest

from tests.browser.pages import CHROMIUM, browser_page


@pytest.fixture(scope="module")
def page(served):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    with browser_page(served[0]) as page:
        yield page
