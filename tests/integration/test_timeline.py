"""Timelines: units for dates and merging, then the seed corpus through the real embedder
and Chroma, from Python and from `rag timeline`."""

import json
from pathlib import Path

import numpy as np
import pytest

from rag.answer.base import Citation
from rag.app.cli.main import main
from rag.embed.minilm import MiniLMEmbedding
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.answer.timeline import Event, _compatible, _merged, _Told, _within, build_timeline, chart
from tests.samples import SEED_CORPUS


def test_event_dates_bound_and_match_by_prefix() -> None:
    assert _within(Event("2021-12", "", "event", ""), "2021-12-15", "2021-12-31")
    assert not _within(Event("2022", "", "event", ""), None, "2021-12-31")
    assert not _within(Event(None, "undated", "undated", ""), "2020-01-01", None)
    assert _within(Event(None, "undated", "undated", ""), None, None)
    assert _compatible("2021", "2021-12") and not _compatible("2021-11", "2021-12")
    assert _compatible(None, None) and not _compatible(None, "2021")


def _told(doc: str, date: str | None, vector: list[float]) -> _Told:
    citation = Citation(n=0, doc_id=doc, title=doc, text="x", start=0, end=1)
    return _Told(Event(date, date or "undated", "event", doc), citation, (0, 1), doc,
                 np.asarray(vector) / np.linalg.norm(vector))


def test_one_event_told_by_several_articles_is_one_entry() -> None:
    groups = _merged([_told("a", "2020", [1, 0]), _told("b", "2020-08", [1, 0.2]),
                      _told("a", "2020", [1, 0.1]),  # the same article again: its own entry
                      _told("c", "2020", [0, 1]),  # another event of that year
                      _told("d", "2021", [1, 0])],  # another date
                     Settings(_env_file=None).time.same_event)
    assert [[t.citation.doc_id for t in g] for g in groups] == [["a", "b"], ["a"], ["c"], ["d"]]


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Pipeline:
    index = tmp_path_factory.mktemp("timeline") / "index"
    pipeline = Pipeline(Settings(index_dir=index, _env_file=None), embed_model=MiniLMEmbedding())
    pipeline.ingest(SEED_CORPUS)
    return pipeline


@pytest.mark.integration
def test_seed_timeline_lists_the_stated_events_in_order(seed: Pipeline) -> None:
    timeline = build_timeline(seed, "Wagner Group in Mali")
    dated = [e for e in timeline.events if e.date]
    assert [e.date for e in dated] == sorted(e.date for e in dated)
    first = {e.date: e for e in reversed(dated)}
    assert "insurgents" in first["2012"].text and len(first["2012"].citations) == 2
    assert "two coups in 2020 and 2021" in first["2020"].text and len(first["2020"].citations) >= 2
    assert first["2021-12"].text.startswith("Wagner Group deployed to Mali in December 2021")
    assert first["2021-12"].shown == "December 2021"
    assert [e.date for e in dated].index("2012") < [e.date for e in dated].index("2020") \
        < [e.date for e in dated].index("2021-12")
    # The seed articles carry no date: what their text gives no year for stays undated.
    undated = {e.text: e for e in timeline.events if e.date is None}
    french = next(t for t in undated if t.startswith("On August 15th"))
    assert undated[french].shown == "undated" and undated[french].dated_by == "undated"
    assert timeline.events[-1].date is None
    # An event's first [n] is the passage it is quoted from, the sentence highlighted.
    cited = {c.n: c for c in timeline.citations}
    for event in timeline.events:
        passage = cited[event.citations[0]]
        assert event.text in [passage.text[s:e] for s, e in passage.highlights]
    assert chart(timeline).axes[0].patches  # bars drawn


@pytest.mark.integration
def test_timeline_cli(seed: Pipeline, capsys, tmp_path: Path) -> None:
    index = str(seed.settings.index_dir)
    assert main(["timeline", "Wagner Group in Mali", "--index", index, "--since", "2020-01-01",
                 "--until", "2021-12-31", "--json", "--chart", str(tmp_path / "c.png")]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert events and all(e["date"] and "2020" <= e["date"] <= "2021-12" for e in events)
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["timeline", "Wagner Group in Mali", "--index", index]) == 0
    text = capsys.readouterr().out
    assert text.index("2012 ") < text.index("December 2021") < text.index("undated")
    assert "(after 2021-12, chars" in text  # an undated article's lower bound
    assert main(["timeline", "Wagner", "--index", index, "--since", "soon"]) == 2
    assert "since: 'soon' is not a date" in capsys.readouterr().err
