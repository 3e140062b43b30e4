"""Time in the text and in the question: dates sentences mention, resolved against the
article's date; sidecar metadata; "as of" windows, the preference and the filter."""

from datetime import date
from pathlib import Path

import pytest

from rag.time.as_of import age_at, heading, prefer_window, question_window
from rag.retrieve.filters import Filters
from rag.ingest.formats.fields import provenance
from rag.ingest.load import load_corpus
from rag.time.mentions import describe, find_dates, joined, published_after
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.samples import ROOT

WEDNESDAY = "2024-03-06"


@pytest.mark.parametrize("text, value, precision", [
    ("The junta announced on Monday that", "2024-03-04", "day"),
    ("Prices rose last month.", "2024-02", "month"),
    ("He spoke yesterday.", "2024-03-05", "day"),
    ("This week the army left.", "2024-03-04", "week"),
    ("Two weeks ago the vote was held.", "2024-02-19", "week"),
    ("Back in April, JNIM claimed", "2023-04", "month"),  # news reports the past
    ("Wagner deployed to Mali in December 2021.", "2021-12", "month"),
    ("fighting it since 2012.", "2012", "year"),
    ("On 15 March 2023 the mission ended.", "2023-03-15", "day"),
    ("On August 15th, the French government announced", "2023-08-15", "day"),
])
def test_dates_resolve_against_the_publication_date(text, value, precision) -> None:
    [mention] = find_dates(text, WEDNESDAY)
    assert (mention.value, mention.precision) == (value, precision)
    assert text[mention.start:mention.end] == mention.text


def test_relative_dates_without_a_publication_date_stay_unresolved() -> None:
    mentions = find_dates("On Monday, two coups in 2020 and 2021, then in April. May be.")
    assert [(m.text, m.value) for m in mentions] == [
        ("On Monday", None), ("2020", "2020"), ("2021", "2021"), ("April", None)]
    assert joined(mentions) == "2020,2021"
    assert published_after(mentions) == "2021"
    assert find_dates("18,000 troops, 2,000 more, $2020, 30% in 2019s") == []


def test_describe_dates() -> None:
    assert describe("2024-03-04", "day") == "4 March 2024"
    assert describe("2024-02-26", "week") == "week of 26 February 2024"
    assert describe("2021-12", "month") == "December 2021"
    assert describe("2012", "year") == "2012"


def test_undated_article_gets_a_lower_bound_never_a_date(seed_corpus: Path) -> None:
    docs = {d.id_: d.metadata for d in load_corpus(seed_corpus).documents}
    wagner = docs["000_ce31d8d4dec75cd6.txt"]
    assert "published_at" not in wagner and wagner["published_after"] == "2021-12"
    assert wagner["published_min_day"] == 20211201
    assert provenance(wagner, "2025-01-01") == ["after 2021-12"]
    assert provenance({"published_at": "2025-01-01", "source": "BBC"}, "2025-01-04") == [
        "2025-01-01", "BBC", "3 days old"]


def test_sidecar_metadata_for_plain_text(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Wagner left Mali on Friday, the ministry said.\n")
    (tmp_path / "b.txt").write_text("---\ndate: 2020-01-01\n---\nOwn date wins.\n")
    (tmp_path / "metadata.csv").write_text(
        "path,title,published_at,source,url\n"
        "a.txt,Wagner leaves,2025-06-11,Reuters,https://example.org/a\n"
        "b.txt,,2024-05-05,,\n"
        "gone.txt,Missing,2025-01-01,X,\n"
        "a.txt,Bad,soon,X,\n")
    corpus = load_corpus(tmp_path)
    docs = {d.id_: d.metadata for d in corpus.documents}
    assert docs["a.txt"]["title"] == "Wagner leaves" and docs["a.txt"]["source"] == "Reuters"
    assert docs["a.txt"]["published_at"] == "2025-06-11"
    assert docs["b.txt"]["published_at"] == "2020-01-01"
    assert [str(e) for e in corpus.errors] == ["metadata.csv:4: no file 'gone.txt' beside it",
                                               "metadata.csv:5: published_at 'soon' is not a date"]


def test_question_windows() -> None:
    d = date
    assert question_window("What did the junta announce this week?", WEDNESDAY) == (d(2024, 2, 29), d(2024, 3, 6))
    assert question_window("What happened last month?", WEDNESDAY) == (d(2024, 2, 1), d(2024, 2, 29))
    assert question_window("What did he say yesterday?", WEDNESDAY) == (d(2024, 3, 5), d(2024, 3, 6))
    assert question_window("How many so far this year?", WEDNESDAY) == (d(2024, 1, 1), d(2024, 3, 6))
    assert question_window("Who runs security now?", WEDNESDAY) == (d(2024, 2, 5), d(2024, 3, 6))
    assert question_window("When did Wagner deploy to Mali?", WEDNESDAY) is None


def test_window_is_a_preference_not_a_filter() -> None:
    window = question_window("this week", WEDNESDAY)
    scores = prefer_window({"in": 0.60, "before": 0.65, "undated": 0.62, "strong": 0.9},
                           {"in": 20240305, "before": 20240220, "undated": 0, "strong": 20231001},
                           window, 0.1)
    assert scores["in"] == pytest.approx(0.70) and scores["before"] == 0.65
    assert sorted(scores, key=scores.get, reverse=True) == ["strong", "in", "before", "undated"]


def test_as_of_parsing_and_where() -> None:
    assert Filters.parse(as_of="17 June 2022") == Filters(as_of="2022-06-17")
    assert Filters(as_of="2022-06-17").where() == {"published_min_day": {"$lte": 20220617}}
    assert Filters(as_of="2022-06-17").describe() == "published by 2022-06-17"
    with pytest.raises(ValueError, match="as of: 'tomorrow' is not a date"):
        Filters.parse(as_of="tomorrow")


def test_ages_and_heading() -> None:
    assert heading("2022-06-17") == "As of 17 June 2022"
    assert [age_at(p, "2022-06-17") for p in ("2022-06-17", "2022-06-16", "2022-06-01", "2022-04-10",
                                              "2019-01-01", "2022-07-01")] == [
        "published that day", "1 day old", "2 weeks old", "2 months old", "3 years old",
        "published after 2022-06-17"]


@pytest.fixture
def dated(tmp_path: Path, fake_embedder) -> Pipeline:
    pipeline = Pipeline(Settings(index_dir=tmp_path / "index", _env_file=None), fake_embedder)
    pipeline.ingest(ROOT / "evals" / "corpora" / "dated")
    return pipeline


def test_as_of_leaves_out_later_documents(dated: Pipeline) -> None:
    question = "How many troops does the Sahel Shield joint force have?"
    then = dated.search(question, 8, Filters(as_of="2024-01-01"))
    assert then and all(r.node.metadata["published_min_day"] <= 20240101 for r in then)
    assert "sahel-shield-2025" not in {r.node.metadata["doc_id"] for r in then}
    answer = dated.ask(question, filters=Filters(as_of="2024-01-01"))
    assert answer.as_of == "2024-01-01" and "3,000" in answer.answer
    assert dated.ask("When did Wagner deploy to Mali?").as_of == ""
    chunks = dated.store.collection.get(include=["metadatas"])["metadatas"]
    assert {"2023-09-27"} <= {d for m in chunks for d in m["event_dates"].split(",")}


@pytest.mark.parametrize("as_of", ["0001-01-01", "0001-01-02", "0001-06-01", "1899-12-31"])
def test_as_of_dates_before_1900_are_refused_in_one_line(as_of: str) -> None:
    # Year 1 was an OverflowError for "this week", "year 0 is out of range" for "last year".
    with pytest.raises(ValueError) as refused:
        Filters.parse(as_of=as_of)
    assert str(refused.value) == (f"as of: {as_of} is out of range "
                                  "(use a date from 1900-01-01 to 9999-12-31)")
    with pytest.raises(ValueError, match="out of range"):  # eval cases build Filters directly
        Filters(as_of=as_of)


@pytest.mark.parametrize("question", ["today", "yesterday", "last week", "this week", "last month",
                                      "this month", "last year", "this year", "recently"])
@pytest.mark.parametrize("as_of", ["1900-01-01", "9999-12-31"])
def test_every_window_is_counted_at_both_ends_of_the_range(question: str, as_of: str) -> None:
    Filters.parse(as_of=as_of)
    window = question_window(f"What happened {question}?", as_of)
    assert window is not None and window[0] <= window[1] <= date.fromisoformat(as_of)
    assert heading(as_of) and age_at("1900-01-01", as_of)
