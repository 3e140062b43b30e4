"""Hostile input on the command line, tried the way it was found: as-of dates near year 1
(issue case 4), TeX in a timeline topic (case 5), questions and topics of megabytes
(case 8), and a deleted JSONL document that came back on the next ingest (case 10).
The seed corpus through the real embedder and Chroma."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.answer.timeline import build_timeline, chart
from rag.app.cli.main import main
from rag.pipeline import Pipeline
from rag.prompts import TOO_LONG
from rag.settings import Settings
from tests.samples import ROOT

pytestmark = pytest.mark.integration

OUT_OF_RANGE = "as of: {} is out of range (use a date from 1900-01-01 to 9999-12-31)"
LIMIT = Settings(_env_file=None).ui.max_text_chars


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return subprocess.run([sys.executable, "-m", "rag.app.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_ask_as_of_year_one_is_one_line(seed_index: Path) -> None:
    for as_of, question in [("0001-01-01", "What did Wagner do this week?"),
                            ("0001-06-01", "What did Wagner do last year?")]:
        done = _cli("ask", question, "--as-of", as_of, "--index", str(seed_index))
        assert done.returncode == 2
        assert done.stderr == f"rag: {OUT_OF_RANGE.format(as_of)}\n", done.stderr


def test_eval_as_of_year_one_is_refused_before_any_case(seed_index: Path, tmp_path: Path, capsys) -> None:
    cases = tmp_path / "cases.jsonl"
    case = {"id": "old", "question": "When did Wagner deploy to Mali?", "facts": [["2021"]]}
    cases.write_text(json.dumps(case) + "\n")
    assert main(["eval", str(cases), "--index", str(seed_index), "--as-of", "0001-01-01"]) == 2
    assert capsys.readouterr().err == f"rag: {OUT_OF_RANGE.format('0001-01-01')}\n"
    cases.write_text(json.dumps({**case, "as_of": "0001-01-02"}) + "\n")
    assert main(["eval", str(cases), "--index", str(seed_index)]) == 2
    out, err = capsys.readouterr()
    assert err == f"rag: eval case 'old': {OUT_OF_RANGE.format('0001-01-02')}\n"
    assert "pass" not in out  # no case was run


def test_a_long_question_is_refused_before_any_work(tmp_path: Path, seed_index: Path, capsys,
                                                    monkeypatch) -> None:
    refusal = TOO_LONG.format(what="a question", limit=LIMIT)
    # No index there: the refusal comes before the pipeline is even opened.
    assert main(["ask", "Wagner " * 1_000_000, "--index", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err == f"rag: {refusal}\n"
    monkeypatch.setenv("RAG_UI__MAX_TEXT_CHARS", "20")
    assert main(["ask", "Where did Wagner deploy in 2021?", "--index", str(tmp_path / "none")]) == 2
    assert "at most 20 characters" in capsys.readouterr().err
    monkeypatch.delenv("RAG_UI__MAX_TEXT_CHARS")
    # Interactively: that question is refused, the session goes on.
    monkeypatch.setattr(sys, "stdin", io.StringIO("x" * (LIMIT + 1) + "\n\n"))
    assert main(["ask", "--index", str(seed_index)]) == 0
    assert refusal in capsys.readouterr().err


def test_a_long_timeline_topic_is_refused(seed_index: Path, capsys) -> None:
    assert main(["timeline", "Mali " * 1_000_000, "--index", str(seed_index)]) == 2
    assert capsys.readouterr().err == f"rag: {TOO_LONG.format(what='a timeline topic', limit=LIMIT)}\n"


def test_timeline_topics_are_drawn_as_plain_text(seed_index: Path, tmp_path: Path) -> None:
    png = tmp_path / "chart.png"
    done = _cli("timeline", "Wagner Group in Mali $\\fakecmd{$", "--index", str(seed_index),
                "--chart", str(png))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and png.read_bytes()[:4] == b"\x89PNG"
    assert "Wagner Group deployed to Mali in December 2021" in done.stdout
    pipeline = Pipeline(Settings(index_dir=seed_index, _env_file=None))
    figure = chart(build_timeline(pipeline, "Orvik costs $5 and $10"))
    title = figure.axes[0].title
    assert title.get_text() == "Dated events: Orvik costs $5 and $10"  # not "5and10" in italics
    assert title.get_parse_math() is False and not title.get_usetex()
    figure.savefig(tmp_path / "prices.png")


FEED = (b'{"id": "feed-a", "title": "Gao market", "text": "The Gao market reopened in March 2024 '
        b'after the floods.  Traders \xe2\x80\x94 mostly women \xe2\x80\x94 returned."}\r\n'
        b'{"id": "feed-b", "title": "Kidal road", "text": "The Kidal road was closed by the army '
        b'in April 2024."}\n'
        b'\n'
        b'{"text": "Its id missing, so never a document", "title": "x"}')


def test_a_deleted_jsonl_document_stays_deleted(tmp_path: Path, capsys) -> None:
    corpus, index = tmp_path / "corpus", str(tmp_path / "index")
    corpus.mkdir()
    (corpus / "feed.jsonl").write_bytes(FEED)
    (corpus / "one.jsonl").write_text('{"id": "one", "text": "Timbuktu held a book fair in May 2024."}\n')
    assert main(["ingest", str(corpus), "--index", index]) == 0
    assert main(["delete", "feed-b", "--corpus", str(corpus), "--index", index]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == \
        "Removed feed-b from the index and its line from feed.jsonl."
    lines = FEED.splitlines(keepends=True)
    assert (corpus / "feed.jsonl").read_bytes() == lines[0] + lines[2] + lines[3]  # byte for byte
    assert sorted(p.name for p in corpus.iterdir()) == ["feed.jsonl", "one.jsonl"]  # no temporary left
    assert main(["delete", "one", "--corpus", str(corpus), "--index", index]) == 0
    assert "deleted one.jsonl, whose only document it was" in capsys.readouterr().out
    assert not (corpus / "one.jsonl").exists()
    # The next ingest, as `rag serve` starts with one, brings neither back.
    assert main(["ingest", str(corpus), "--index", index]) == 0
    settings = Settings(index_dir=Path(index), corpus_dir=corpus, _env_file=None)
    assert {d.doc_id for d in Pipeline(settings).documents()} == {"feed-a"}
