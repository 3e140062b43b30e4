"""Date and source filters and the recency preference: units, then a real Chroma index."""

import json
from pathlib import Path

import pytest

from rag.retrieve.filters import Filters, prefer_recent, resolve_sources, wants_recent
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.samples import ROOT

DATED = ROOT / "evals" / "corpora" / "dated"


def test_where_clause() -> None:
    assert Filters().where() is None and not Filters()
    assert Filters(since="2025-01-01").where() == {"published_day": {"$gte": 20250101}}
    both = Filters.parse("2024-01-01", "March 5, 2025", ["Wire", " Wire ", ""])
    assert both == Filters("2024-01-01", "2025-03-05", ("Wire",))
    assert both.where() == {"$and": [{"published_day": {"$gte": 20240101}},
                                     {"published_day": {"$lte": 20250305}},
                                     {"source": {"$in": ["Wire"]}}]}
    assert both.describe() == "dated 2024-01-01 to 2025-03-05; from Wire"


@pytest.mark.parametrize("since, until, message", [
    ("soon", None, "since: 'soon' is not a date"),
    ("2025-02-01", "2025-01-01", "since 2025-02-01 is after until 2025-01-01"),
])
def test_bad_filters_say_why(since, until, message) -> None:
    with pytest.raises(ValueError, match=message):
        Filters.parse(since, until)


def test_source_names_match_loosely() -> None:
    known = ["BBC News", "Niger Daily Wire", "Sahel Economic Monitor"]
    assert resolve_sources(["bbc news"], known) == ["BBC News"]
    assert resolve_sources(["niger", "sahel"], known) == ["Niger Daily Wire", "Sahel Economic Monitor"]
    with pytest.raises(ValueError, match="no source matches 'cnn' \\(known: BBC News"):
        resolve_sources(["cnn"], known)


def test_recency_questions_and_bonus() -> None:
    assert all(wants_recent(q) for q in ["What is the latest on X?", "Who currently leads it?",
                                         "How many troops now?", "most recent figure?"])
    assert not any(wants_recent(q) for q in ["Who knows the owner?", "When did Wagner deploy?"])
    scores = prefer_recent({"old": 0.80, "new": 0.75, "undated": 0.78, "far": 0.3},
                           {"old": 20230101, "new": 20250101, "undated": 0, "far": 20240101}, 0.1)
    assert scores["new"] == pytest.approx(0.75 + 0.1)
    assert scores["old"] == 0.80 and scores["undated"] == 0.78
    assert sorted(scores, key=scores.get, reverse=True)[:2] == ["new", "old"]


@pytest.fixture
def dated(tmp_path: Path, fake_embedder) -> Pipeline:
    pipeline = Pipeline(Settings(index_dir=tmp_path / "index", _env_file=None), fake_embedder)
    pipeline.ingest(DATED)
    return pipeline


def test_filters_apply_to_every_result(dated: Pipeline) -> None:
    assert dated.sources() == ["Bamako Economic Daily", "Dakar Transport Journal",
                               "Mining Weekly Africa", "Niger Daily Wire", "Sahel Business Review",
                               "Sahel Economic Monitor"]
    since = dated.filters(since="2025-01-01")
    found = dated.search("Sahel Shield troops petrol Tamboura rail", k=20, filters=since)
    assert found and all(r.node.metadata["published_at"] >= "2025-01-01" for r in found)
    window = dated.filters(since="2023-01-01", until="2023-12-31", sources=["niger daily"])
    found = dated.search("Sahel Shield troops", k=20, filters=window)
    assert {r.node.metadata["doc_id"] for r in found} == {"niamey-fuel-2023", "sahel-shield-2023"}
    answer = dated.ask("How many troops does the Sahel Shield joint force have?", filters=window)
    assert [c.doc_id for c in answer.citations] == ["sahel-shield-2023"]
    assert not dated.search("Sahel Shield", filters=dated.filters(until="1999-01-01"))


def test_filtered_search_reaches_past_the_unfiltered_candidates(tmp_path: Path, fake_embedder) -> None:
    # 40 strong matches from one source, one weak match from another: the weak one is not
    # among the unfiltered candidates, yet a source filter must still find it.
    lines = [{"id": f"strong-{i}", "source": "Big Wire", "published_at": "2025-01-01",
              "text": f"Gold output at the Tamboura mine rose again in report {i}."} for i in range(40)]
    lines.append({"id": "weak", "source": "Small Paper", "published_at": "2020-01-01",
                  "text": "The Tamboura mine reopened its school for workers' children."})
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(line) for line in lines))
    pipeline = Pipeline(Settings(index_dir=tmp_path / "index", _env_file=None), fake_embedder)
    pipeline.ingest(corpus)
    query = "Tamboura mine gold output"
    assert "weak" not in {r.node.metadata["doc_id"] for r in pipeline.search(query, k=40)}
    for filters in (pipeline.filters(sources=["small paper"]), pipeline.filters(until="2021-01-01")):
        found = pipeline.search(query, k=5, filters=filters)
        assert [r.node.metadata["doc_id"] for r in found] == ["weak"]
        allowed = set(pipeline.store.chunk_ids(filters.where()))
        assert [i for i, _ in pipeline.retriever.lexical().search(query, 5, allowed)] == list(allowed)


def test_latest_questions_rank_the_newer_document_first(tmp_path: Path, fake_embedder) -> None:
    # The same report on two dates: only the date can tell them apart.
    text = "Petrol in Niamey costs more than it did a year ago, traders said."
    lines = [{"id": "old", "published_at": "2023-01-09", "text": text},
             {"id": "new", "published_at": "2025-04-02", "text": text}]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    pipeline = Pipeline(Settings(index_dir=tmp_path / "index", _env_file=None), fake_embedder)
    pipeline.ingest(tmp_path / "c.jsonl")

    def scores(question: str) -> dict[str, float]:
        return {r.node.metadata["doc_id"]: r.score for r in pipeline.search(question, k=2)}

    plain, latest = scores("What does petrol cost in Niamey?"), scores("What does petrol cost in Niamey now?")
    assert plain["new"] == pytest.approx(plain["old"])
    assert latest["new"] - latest["old"] == pytest.approx(pipeline.settings.retrieval.recency_bonus)
    assert max(latest, key=latest.get) == "new"
