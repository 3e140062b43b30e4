"""The reader's short answer in a real browser: the lead renders bold (not as `**…**`), the
sentence quoted after it stays plain text, and a follow-up opens with the right article."""

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
        ask(page, "Who led the failed mutiny?")
        answer = last_answer(page)
        lead = answer.locator(".rag-text strong.rag-lead")
        assert lead.count() == 1
        assert "Utkin" in lead.inner_text()
        text = answer.locator(".rag-text").inner_text()
        assert "**" not in text
        assert text.startswith(lead.inner_text())
        # Bold is the lead's alone: the quoted sentence after it is plain.
        assert answer.locator(".rag-text strong").count() == 1
        # The conversation: the follow-up opens with the right article's sentence, and
        # no name the reader is unsure of ("Yevgeny Prigozhin") is shown in bold.
        ask(page, "Why did Wagner leave Mali?")
        ask(page, "Who replaced them?")
        follow_up = last_answer(page).locator(".rag-text")
        assert "Africa Corps" in follow_up.inner_text().split("[1]")[0]
        assert "Prigozhin" not in " ".join(follow_up.locator("strong").all_inner_texts())
        page.screenshot(path=str(SHOTS / "reader-lead.png"))
