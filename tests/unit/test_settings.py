"""Nested settings: the default preset, a named one over it, the environment over both."""

import json
import subprocess
import sys

import pytest

from rag import settings as settings_module
from rag.app.cli.main import main
from rag.app.cli.settings import fields
from rag.settings import Settings, SettingsError, read_preset
from tests.samples import ROOT


def test_tuned_values_come_from_the_default_preset() -> None:
    shipped = read_preset("default")
    settings = Settings(_env_file=None)
    assert settings.retrieval.dense_weight == shipped["retrieval"]["dense_weight"]
    assert settings.answer.weights.model_dump() == shipped["answer"]["weights"]
    assert settings.verify.cosine == shipped["verify"]["cosine"]


def test_every_field_says_what_it_does() -> None:
    undescribed = [env for env, _, description in fields(Settings(_env_file=None)) if not description]
    assert not undescribed


def test_environment_and_arguments_reach_nested_fields(monkeypatch) -> None:
    monkeypatch.setenv("RAG_ANSWER__READER__ENABLED", "false")
    monkeypatch.setenv("RAG_RETRIEVAL__TOP_K", "3")
    settings = Settings(_env_file=None, answer__weights__cosine=0.5)
    assert settings.retrieval.top_k == 3 and not settings.answer.reader.enabled
    assert settings.answer.weights.cosine == 0.5
    assert settings.answer.weights.overlap == read_preset("default")["answer"]["weights"]["overlap"]
    changed = settings.changed(ui__port=1234, answer__reader__windows=2)
    assert (changed.ui.port, changed.answer.reader.windows, settings.ui.port) == (1234, 2, 7860)


@pytest.mark.parametrize("update", [{"ui__nope": 1}, {"nope__top_k": 1}])
def test_a_misspelt_setting_is_refused(update) -> None:
    with pytest.raises(ValueError, match="nope"):
        Settings(_env_file=None).changed(**update)


def test_a_named_preset_lays_over_the_default(tmp_path, monkeypatch) -> None:
    (tmp_path / "default.json").write_text(json.dumps(read_preset("default")))
    monkeypatch.setattr(settings_module, "PRESETS", tmp_path)
    settings_module.write_preset("fast", {"answer": {"reader": {"windows": 2}}})
    fast = Settings(_env_file=None, preset="fast")
    assert fast.answer.reader.windows == 2 and fast.answer.reader.threshold == -6.0
    monkeypatch.setenv("RAG_PRESET", "fast")
    assert Settings(_env_file=None).answer.reader.windows == 2
    with pytest.raises(ValueError, match=r"no settings preset 'slow' \(there are default, fast\)"):
        Settings(_env_file=None, preset="slow")


def test_rag_settings_lists_knobs_and_keeps_secrets() -> None:
    env = {"RAG_UI__AUTH": "reader:secret", "RAG_LLM__OPENAI__API_KEY": "sk-123", "PATH": "/usr/bin:/bin"}
    shown = subprocess.run([sys.executable, "-m", "rag.app.cli", "settings"], capture_output=True, text=True,
                           env=env, cwd=ROOT, check=True).stdout
    assert "RAG_ANSWER__READER__THRESHOLD=-6.0" in shown and "RAG_UI__AUTH=(set)" in shown
    assert "secret" not in shown and "sk-123" not in shown
    bad = subprocess.run([sys.executable, "-m", "rag.app.cli", "settings"], capture_output=True, text=True,
                         env={**env, "RAG_PRESET": "nope"}, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "no settings preset" in bad.stderr


@pytest.mark.parametrize(("variable", "value", "allowed"), [
    ("RAG_RETRIEVAL__TOP_K", "-3", "it must be 1 to 1000"),  # returned every chunk
    ("RAG_RETRIEVAL__TOP_K", "0", "it must be 1 to 1000"),  # a silent abstention
    ("RAG_RETRIEVAL__CANDIDATES", "-1", "it must be 1 to 10000"),
    ("RAG_UI__PORT", "99999", "it must be 1 to 65535"),
    ("RAG_ANSWER__ABSTAIN_THRESHOLD", "nan", "finite number"),
    ("RAG_RETRIEVAL__DENSE_WEIGHT", "2.5", "it must be 0 to 1"),
    ("RAG_UI__MAX_UPLOAD_MB", "-1", "more than 0"),
    ("RAG_TIME__TIMELINE_PASSAGES", "-1", "it must be 1 to 10000"),
    ("RAG_INGEST__CHUNK_TOKENS", "0", "it must be 16 to 8192"),  # was "range() arg 3 must not be zero"
    ("RAG_UI__MAX_TEXT_CHARS", "0", "it must be 1 to 1000000"),
])
def test_a_setting_out_of_its_range_is_refused_in_one_line_naming_it(monkeypatch, variable, value,
                                                                    allowed) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        Settings(_env_file=None)
    message = str(refused.value)
    assert message.startswith(f"{variable}={value}") and allowed in message and "\n" not in message


def test_chunk_overlap_must_be_under_the_chunk_size() -> None:
    with pytest.raises(SettingsError, match="RAG_INGEST__CHUNK_OVERLAP_TOKENS=40 must be less than "
                                            "RAG_INGEST__CHUNK_TOKENS=30"):
        Settings(_env_file=None, ingest__chunk_tokens=30)


@pytest.mark.parametrize(("variable", "said"), [
    ("RAG_RETRIEVL__TOP_K", "RAG_RETRIEVL__TOP_K sets nothing: there is no setting 'retrievl' "
                            "(did you mean RAG_RETRIEVAL__TOP_K?)"),
    ("RAG_RETRIEVAL__TOPK", "RAG_RETRIEVAL__TOPK sets nothing: there is no retrieval setting 'topk' "
                            "(did you mean RAG_RETRIEVAL__TOP_K?)"),
])
def test_a_misspelt_variable_is_named_at_start_up_not_ignored(monkeypatch, capsys, variable, said) -> None:
    monkeypatch.setenv(variable, "3")
    assert main(["settings"]) == 2
    shown = capsys.readouterr()
    assert shown.err == f"rag: {said}\n" and shown.out == ""
