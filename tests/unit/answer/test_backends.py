"""The answer-backend registry: every reader of backends (settings, CLI, UI selector,
`available`) goes through it, and the `fake` backend (llama-index's MockLLM) runs the
whole generating path through the real pipeline."""

import pytest

from rag.answer import backends
from rag.answer.backends import Backend, available, names
from rag.app.cli.main import main
from rag.pipeline import Pipeline
from rag.settings import Settings

QUESTION = "Which Russian force stayed after Wagner left?"


def test_registry_lists_every_backend_default_first() -> None:
    assert names()[0] == "extractive"
    assert {"extractive", "local", "openai", "fake"} <= set(names())


def test_only_registered_backends_are_built() -> None:
    # The registry checks the name where a backend is built: settings sit below the answer layer.
    assert Settings(answer__backend="fake", _env_file=None).answer.backend == "fake"
    with pytest.raises(ValueError, match="no answer backend 'nope'"):
        backends.backend("nope")


def test_a_backend_registered_by_a_module_is_offered_everywhere(capsys, monkeypatch) -> None:
    names()  # the package's own backends first; this one leaves with the test
    monkeypatch.setitem(backends._REGISTRY, "zz-test", Backend(
        name="zz-test", summary="registered by a test",
        build=lambda r: r.answerer("extractive"), runnable=lambda s: True))
    assert "zz-test" in available(Settings(_env_file=None))
    assert Settings(answer__backend="zz-test", _env_file=None)
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    assert "zz-test: registered by a test" in capsys.readouterr().out


def test_fake_is_offered_only_when_configured() -> None:
    assert "fake" not in available(Settings(_env_file=None))
    assert "fake" in available(Settings(answer__backend="fake", _env_file=None))


def test_fake_backend_answers_through_the_pipeline(settings, fake_embedder) -> None:
    pipeline = Pipeline(settings.changed(answer__backend="fake"), fake_embedder)
    pipeline.ingest()
    steps = list(pipeline.stream(QUESTION))
    quoted, last = steps[0], steps[-1]
    assert not quoted.done and last.done and last.backend == "fake"
    assert last.answer.endswith("[1]") and last.citations
    assert [row["status"] for row in last.sentences] == ["verified"]
    # The extractive answerer is the fake's evidence, built once and shared.
    assert pipeline.answerer_for("extractive") is pipeline.answerer.evidence
