"""With RAG_UI__AUTH, conversations belong to the signed-in user, not to a browser: the same
user signing in from a second browser (its own localStorage) finds them there.
Debian's chromium through playwright, the app served in this process."""

from playwright.sync_api import expect, sync_playwright

from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM
from tests.servers import running_app, temp_settings

pytestmark = NEEDS_CHROMIUM


def signed_in(browser, url: str):
    page = browser.new_context().new_page()
    page.goto(url)
    page.get_by_label("username").fill("reader")
    page.get_by_label("password").fill("secret")
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#question textarea")
    return page


def test_conversations_follow_the_user_across_browsers(tmp_path):
    settings = temp_settings(tmp_path, ui__auth="reader:secret")
    with running_app(settings) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        first = signed_in(browser, url)
        first.fill("#question textarea", "When did Wagner deploy to Mali?")
        first.press("#question textarea", "Enter")
        expect(first.locator("#chat .rag-actions")).to_have_count(1)

        second = signed_in(browser, url)
        second.locator("#past").get_by_text("Past conversations").click()
        second.locator("#past-choice input").click()
        second.get_by_role("option", name="When did Wagner deploy to Mali?").click()
        second.locator("#past-open").click()
        expect(second.locator("#chat .rag-answer.rag-done")).to_contain_text("December 2021")
        browser.close()
