"""One limit on questions and timeline topics (issue case 8): `settings.ui.max_text_chars`
and the TOO_LONG phrase."""

import pytest

from rag.answer.question import too_long
from rag.settings import Settings


def test_the_limit_is_one_setting_of_one_or_more(monkeypatch) -> None:
    assert Settings(_env_file=None).ui.max_text_chars == 4000
    monkeypatch.setenv("RAG_UI__MAX_TEXT_CHARS", "12")
    assert Settings(_env_file=None).ui.max_text_chars == 12
    with pytest.raises(ValueError, match="RAG_UI__MAX_TEXT_CHARS=0 is out of range"):
        Settings(ui__max_text_chars=0, _env_file=None)


def test_too_long_says_what_and_the_limit() -> None:
    assert too_long("x" * 10, "a question", 10) is None
    assert too_long("x" * 11, "a question", 10) == "That is too long: a question may be at most 10 characters."
