"""The "Answer with" selector in a real browser: it offers exactly the backends that can
run, and the local backend (the small SmolLM2 model, which answers badly: what is checked
is what the UI promises whatever it writes) streams checked sentences under the quoted
answer, then shows its checked answer or the quoted one with a notice."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rag.answer.backends import available
from rag.settings import Settings
from tests.browser.pages import NEEDS_CHROMIUM, SHOTS, ask, browser_page, last_answer
from tests.samples import small_gguf
from tests.servers import running_app, temp_settings

pytestmark = NEEDS_CHROMIUM

QUESTION = "Which Russian force stayed after Wagner left?"
# What the page shows while the model writes: a MutationObserver sees every partial answer,
# however briefly it is on screen.
RECORD_PARTIALS = """() => {
  window.__partials = [];
  new MutationObserver(() => {
    const answer = [...document.querySelectorAll('#chat .rag-answer')].pop();
    if (!answer || answer.classList.contains('rag-done') || !answer.querySelector('.rag-draft')) return;
    window.__partials.push({
      quoted: !!answer.querySelector('.rag-text a.rag-cite'),
      sentences: [...answer.querySelectorAll('.rag-draft .rag-sentence')].map(s => {
        const href = s.querySelector('a.rag-cite')?.getAttribute('href') ?? null;
        return {status: s.classList[1], href,
                resolves: !!href && !!document.querySelector('#sources ' + href)};
      }),
    });
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


@pytest.fixture
def local_app(tmp_path: Path) -> Iterator[tuple[Page, Settings]]:
    settings = temp_settings(tmp_path, llm__local__gguf=small_gguf(), llm__max_tokens=48,
                             llm__local__model_cache=tmp_path / "models")
    with running_app(settings) as (url, _), browser_page(url) as page:
        yield page, settings


def test_local_backend_streams_checked_sentences(local_app: tuple[Page, Settings]) -> None:
    page, settings = local_app
    offered = available(settings)
    assert "local" in offered
    expect(page.locator("#backend label")).to_have_text(offered)
    page.locator("#backend label", has_text="local").click()
    page.evaluate(RECORD_PARTIALS)
    ask(page, QUESTION)

    # While it wrote, the quoted answer stood first, and under it only checked sentences,
    # each [n] opening a source of the panel (once the panel caught up with the chat).
    partials = page.evaluate("window.__partials")
    assert partials and all(p["quoted"] for p in partials)
    sentences = [s for p in partials for s in p["sentences"]]
    assert sentences  # the small model's first sentence shows, checked, while it writes on
    assert {s["status"] for s in sentences} <= {"rag-verified", "rag-reattributed", "rag-flagged"}
    linked = {s["href"] for s in sentences if s["href"]}
    assert linked == {s["href"] for s in sentences if s["resolves"]}

    answer = last_answer(page)
    if answer.locator(".rag-notice").count():  # nothing held up: the quoted answer, said so
        expect(answer.locator(".rag-text a.rag-cite").first).to_be_visible()
    else:  # the model's checked sentences replace the quoted ones
        expect(answer.locator(".rag-hint", has_text="Quoted from the sources")).to_have_count(0)
        expect(answer.locator(".rag-text .rag-sentence .rag-mark").first).to_be_visible()
        expect(answer.locator(".rag-checked")).to_contain_text("written by the local model")
    hrefs = answer.locator("a.rag-cite").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs
    for href in hrefs:
        expect(page.locator(f"#sources {href}")).to_have_count(1)
    page.screenshot(path=SHOTS / "ui-backend-local.png")


def test_selector_is_hidden_when_only_extractive_can_run(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # As on a machine without the `local` extra: xllamacpp cannot be imported.
    monkeypatch.setitem(sys.modules, "xllamacpp", None)
    settings = temp_settings(tmp_path, llm__local__model_cache=tmp_path / "models")
    assert available(settings) == ["extractive"]
    with running_app(settings) as (url, _), browser_page(url) as page:
        expect(page.locator("#backend")).to_be_hidden()
        expect(page.get_by_text("Answer with")).to_have_count(0)
