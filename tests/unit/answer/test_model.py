"""Assembling a GGUF from its parts: once, atomically, and only when its sha256 matches."""

import hashlib
import sys
from pathlib import Path

import pytest

from rag.answer.backends import BackendUnavailable, available
from rag.answer.model import ModelUnavailable, PartedModel, assemble, model_path
from rag.settings import Settings


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PartedModel:
    """Three importable part packages shaped like the PyPI ones (get_part_path())."""
    blobs = [b"GGUF" + bytes(range(200)), b"middle" * 100, b"end"]
    for i, blob in enumerate(blobs, start=1):
        package = tmp_path / "site" / f"fake_model_part{i}"
        (package / "data").mkdir(parents=True)
        (package / "data" / f"part{i:02d}.bin").write_bytes(blob)
        (package / "__init__.py").write_text(
            "import os\ndef get_part_path():\n"
            f"    return os.path.join(os.path.dirname(__file__), 'data', 'part{i:02d}.bin')\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"".join(blobs)
    return PartedModel("fake.gguf", tuple(f"fake_model_part{i}" for i in (1, 2, 3)), len(whole),
                       hashlib.sha256(whole).hexdigest())


def test_parts_are_assembled_once_into_the_cache(parts: PartedModel, tmp_path: Path) -> None:
    path = assemble(parts, tmp_path / "cache")
    assert path == tmp_path / "cache" / "fake.gguf" and path.stat().st_size == parts.size
    assert hashlib.sha256(path.read_bytes()).hexdigest() == parts.sha256
    assert list((tmp_path / "cache").iterdir()) == [path]  # no temporary file left behind
    mtime = path.stat().st_mtime_ns
    assert assemble(parts, tmp_path / "cache").stat().st_mtime_ns == mtime


def test_a_wrong_hash_leaves_nothing_behind(parts: PartedModel, tmp_path: Path) -> None:
    wrong = PartedModel(parts.name, parts.modules, parts.size, "0" * 64)
    with pytest.raises(ModelUnavailable, match="sha256"):
        assemble(wrong, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_missing_part_says_how_to_install_it(tmp_path: Path) -> None:
    missing = PartedModel("x.gguf", ("no_such_model_part1",), 1, "0" * 64)
    with pytest.raises(ModelUnavailable, match="ANSWER=local"):
        assemble(missing, tmp_path)
    assert "no_such_model_part1" not in sys.modules


def test_a_gguf_setting_wins_and_must_exist(tmp_path: Path) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert model_path(Settings(llm__local__gguf=gguf, _env_file=None)) == gguf
    with pytest.raises(ModelUnavailable, match="not a file"):
        model_path(Settings(llm__local__gguf=tmp_path / "nope.gguf", _env_file=None))


def test_available_backends_need_their_model_or_url(tmp_path: Path) -> None:
    bare = Settings(llm__local__model_cache=tmp_path, llm__local__gguf=tmp_path / "nope.gguf", _env_file=None)
    assert "openai" not in available(bare)
    assert "openai" in available(bare.changed(llm__openai__url="http://127.0.0.1:1/v1"))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert "local" in available(bare.changed(llm__local__gguf=gguf))
    from rag.answer.openai import openai_llm

    with pytest.raises(BackendUnavailable, match="RAG_LLM__OPENAI__URL"):
        openai_llm(bare)
