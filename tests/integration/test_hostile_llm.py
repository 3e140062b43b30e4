"""LLM servers that misbehave (issue 21): keep-alive comments forever and tokens forever
must not hold an answer past its deadline, nor one user's answer the others' (case 7); a
200 with an empty stream, a body that is not JSON and a closed connection give the quoted
answer with a one-line notice, not the abstention (case 11). Each server is a real HTTP
server on 127.0.0.1 (tests/misbehaving_llm.py); the chat is driven through gradio_client."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gradio_client import Client

from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.samples import ROOT, SEED_CORPUS
from tests.misbehaving_llm import closes, empty_stream, endless, keep_alive, llm_server, not_json
from tests.servers import running_app, temp_settings

pytestmark = pytest.mark.integration

QUESTION = "When did Wagner deploy to Mali?"
FAILED = "The language model did not answer"


def _pipeline(seed_index: Path, url: str, **overrides) -> Pipeline:
    return Pipeline(Settings(index_dir=seed_index, corpus_dir=SEED_CORPUS, answer__backend="openai",
                             llm__openai__url=url, _env_file=None, **overrides))


@pytest.mark.parametrize("behaviour", [empty_stream, not_json, closes], ids=lambda b: b.__name__)
def test_a_faulty_answer_gives_the_quoted_one_with_a_notice(seed_index: Path, behaviour) -> None:
    with llm_server(behaviour) as url:
        answer = _pipeline(seed_index, url, llm__openai__timeout=5).ask(QUESTION)
    assert not answer.abstained and "December 2021" in answer.answer and answer.citations
    assert answer.notice.startswith(FAILED) and "\n" not in answer.notice


def test_tokens_forever_are_cut_at_max_tokens(seed_index: Path) -> None:
    with llm_server(endless) as url:
        started = time.perf_counter()
        steps = list(_pipeline(seed_index, url, llm__max_tokens=32, llm__deadline=60).stream(QUESTION))
    assert time.perf_counter() - started < 30
    assert max(len(s.draft) for s in steps) <= 8 * 32
    last = steps[-1]
    assert last.done and not last.abstained and "December 2021" in last.answer


def test_rag_ask_against_keep_alives_ends_at_the_deadline(seed_index: Path) -> None:
    with llm_server(keep_alive) as url:
        env = {**os.environ, "RAG_ANSWER__BACKEND": "openai", "RAG_LLM__OPENAI__URL": url,
               "RAG_LLM__OPENAI__TIMEOUT": "3", "RAG_LLM__DEADLINE": "4", "RAG_INDEX_DIR": str(seed_index)}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "rag.app.cli", "ask", QUESTION], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        took = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert f"({FAILED} (no whole answer within 4 s)" in done.stdout
    assert "December 2021" in done.stdout
    assert took >= 4


def _first_output_within(job, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if job.outputs():
            return True
        time.sleep(0.1)
    return False


def test_a_slow_server_does_not_hold_other_chat_users(tmp_path: Path) -> None:
    with llm_server(keep_alive) as url:
        settings = temp_settings(tmp_path, answer__backend="openai", llm__openai__url=url, llm__openai__timeout=3,
                                 llm__deadline=40)
        with running_app(settings) as (address, _):
            first = Client(address, verbose=False).submit(QUESTION, api_name="/chat")
            assert _first_output_within(first, 30)  # the quoted answer, then the model hangs
            started = time.monotonic()
            second = Client(address, verbose=False).submit("Who backs Africa Corps?", api_name="/chat")
            assert _first_output_within(second, 15), "the second user waited for the first"
            assert time.monotonic() - started < 15
            assert not first.done()  # the first answer is still waiting on its server
            # Another user meanwhile, still served at once.
            third = Client(address, verbose=False).submit(QUESTION, api_name="/chat")
            assert _first_output_within(third, 15)
