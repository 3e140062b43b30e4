"""What a browser's saved value may be (issue case 12): only what the app writes, an id
and an open conversation; anything else is no saved state, never an error."""

import uuid

import pytest

from rag.app.ui.history import owner_of, readable_state


def test_the_value_the_app_writes_is_read_back() -> None:
    value = {"id": uuid.uuid4().hex, "open": uuid.uuid4().hex}
    assert readable_state(value) == value
    assert readable_state({**value, "extra": 1}) == value
    assert owner_of(value, None) == f"browser:{value['id']}"


@pytest.mark.parametrize("tampered", [
    None, "x", 5, ["x"], {}, {"id": "x"}, {"open": "y"}, {"id": 5, "open": "y"},
    {"id": "x", "open": None}, {"id": "", "open": "y"}, {"id": "x" * 65, "open": "y"},
    {"id": "x\ny", "open": "y"},
])
def test_anything_else_is_no_saved_state(tampered: object) -> None:
    assert readable_state(tampered) is None
    assert owner_of(tampered, None) is None  # type: ignore[arg-type]
