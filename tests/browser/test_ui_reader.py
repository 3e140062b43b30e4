"""The reader's short answer in a real browser: the lead renders bold (not as `**…**`), the
sentence quoted after it stays plain text, and a follow-up is led by the right article's span."""

import pytest

from tests.browser.pages import NEEDS_CHROMIUM, SHOTS, ask, browser_page, last_answer
from tests.servers import running_app, temp_settings

pytestmark = NEEDS_CHROMIUM


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with running_app(temp_settings(tmp_path_factory.mktemp("ui-reader"))) as app:
        yield app


def test_the_lead_renders_bold(served) -> None:
    with browser_page(served[0]) as page:
        ask(page, "Which force remained active in Mali after Wagner left?")
        answer = last_answer(page)
        lead = answer.locator(".rag-text strong.rag-lead")
        assert lead.count() == 1
        assert "Africa Corps" in lead.inner_text()
        text = answer.locator(".rag-text").inner_text()
        assert "**" not in text
        assert text.startswith(lead.inner_text())
        # Bold is the lead's alone: the quoted sentence after it is plain.
        assert answer.locator(".rag-text strong").count() == 1
        # The conversation: the follow-up is led by the span of the right article.
        ask(page, "Why did Wagner leave Mali?")
        ask(page, "Who replaced them?")
        assert "Africa Corps" in last_answer(page).locator(".rag-text strong.rag-lead").inner_text()
        page.screenshot(path=str(SHOTS / "reader-lead.png"))
