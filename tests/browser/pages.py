"""What the browser tests share: Debian's chromium through playwright (never `playwright
install`), a page on the served app, and the steps a visitor takes."""

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from rag.app.ui.history import STORAGE_KEY
from tests.samples import ROOT


CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output"  # screenshots, for a person to look at
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Every browser test module sets `pytestmark = NEEDS_CHROMIUM`.
NEEDS_CHROMIUM = [
    pytest.mark.integration,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def ask(page, question: str) -> tuple[float, float]:
    """Type a question and wait for the answer; returns seconds to its first text and to
    the finished answer."""
    before = page.locator("#chat .rag-answer.rag-done").count()
    started = time.perf_counter()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function("n => document.querySelectorAll('#chat .rag-text').length > n", arg=before)
    first = time.perf_counter() - started
    page.wait_for_function("n => document.querySelectorAll('#chat .rag-done').length > n", arg=before)
    full = time.perf_counter() - started
    print(f"\n[ui timing] {question!r}: first text {first * 1000:.0f} ms, "
          f"full answer {full * 1000:.0f} ms")
    return first, full


def last_answer(page):
    return page.locator("#chat .rag-answer").last


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def upload(page, tmp_path: Path, name: str, text: str) -> None:
    file = tmp_path / name
    file.write_text(text)
    page.set_input_files("#upload input[type=file]", str(file))


@contextmanager
def browser_page(url: str) -> Iterator[Page]:
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.wait_for_selector("#question textarea")
        try:
            yield page
        finally:
            browser.close()


def stored_value(secret: str, value: object) -> str:
    """`value` as gr.BrowserState writes it to localStorage with `secret`, which Gradio sends
    every client in /config: CryptoJS AES with the passphrase sha256(secret), OpenSSL's key
    derivation (MD5, salted). Encrypted in the page by WebCrypto with the key derived here;
    returns the JavaScript that stores it under the app's key."""
    passphrase = hashlib.sha256(secret.encode()).hexdigest().encode()
    salt, derived, block = os.urandom(8), b"", b""
    while len(derived) < 48:
        block = hashlib.md5(block + passphrase + salt).digest()
        derived += block
    key, iv, salted = (base64.b64encode(part).decode() for part in (derived[:32], derived[32:], salt))
    return (f"""async () => {{
      const bytes = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
      const b64 = a => btoa(String.fromCharCode(...new Uint8Array(a)));
      const key = await crypto.subtle.importKey("raw", bytes("{key}"), "AES-CBC", false, ["encrypt"]);
      const sealed = await crypto.subtle.encrypt({{name: "AES-CBC", iv: bytes("{iv}")}}, key,
                                                 new TextEncoder().encode({json.dumps(json.dumps(value))}));
      const openssl = new Uint8Array([...new TextEncoder().encode("Salted__"), ...bytes("{salted}"),
                                      ...new Uint8Array(sealed)]);
      const iv = b64(crypto.getRandomValues(new Uint8Array(16)));  // Gradio's, unused by its KDF
      localStorage.setItem({json.dumps(STORAGE_KEY)}, iv + ":" + b64(openssl));
    }}""")
