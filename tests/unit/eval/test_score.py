"""Tests of the eval scorer itself, on hand-made answers (no retrieval or model involved)."""

import json
from pathlib import Path

import pytest

from rag.eval.cases import Case, CaseFileError, load_cases
from rag.eval.score import CaseResult, normalize, score_case, summarize
from tests.samples import ROOT, SEED_CORPUS

SEED = ROOT / "evals" / "seed.jsonl"
CORPUS = SEED_CORPUS


def answerable(**overrides) -> Case:
    fields = {
        "id": "a",
        "question": "When and where?",
        "facts": [["December 2021", "late 2021"], ["Mali"]],
        "sources": ["000.txt", "003.txt"],
        "tags": ["date-number"],
    }
    return Case(**{**fields, **overrides})


def unanswerable(**overrides) -> Case:
    fields = {"id": "u", "question": "Who won the World Cup?", "abstain": True, "tags": ["off-topic"]}
    return Case(**{**fields, **overrides})


def run(
    case: Case,
    answer: str = "",
    *,
    abstained: bool = False,
    cited: tuple[str, ...] | list[str] = (),
    retrieved: tuple[str, ...] | list[str] = (),
    latency_ms: float = 10.0,
) -> CaseResult:
    return score_case(
        case,
        answer=answer,
        abstained=abstained,
        cited=list(cited),
        retrieved=list(retrieved),
        latency_ms=latency_ms,
    )


# --- normalisation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Assimi Goïta", "assimi goita"),
        ("ÉCOWAS  Frameworks", "ecowas frameworks"),
        ("  spread\tover\n lines ", "spread over lines"),
        ("Mali’s “fake news”!", "mali s fake news"),
        ("Mali's", "mali s"),
        ("nearly 18,000-strong", "nearly 18000 strong"),
        ("1,234,567 people", "1234567 people"),
        ("coups in 2020,2021", "coups in 2020 2021"),
        ("the U.S. Treasury", "the us treasury"),
        ("ul-Islam", "ul islam"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_fact_matching_ignores_form_but_needs_whole_words() -> None:
    case = answerable(facts=[["Goita"], ["18000"], ["US"]], sources=[])
    assert run(case, "Col Assimi Goïta praised the 18,000-strong U.S.-backed mission.").passed
    partial_word = answerable(facts=[["Mali"]], sources=[])
    assert run(partial_word, "The Malian army.").failed_facts == [0]


# --- fact groups and citations -----------------------------------------------


def test_one_alternative_of_every_group_is_needed() -> None:
    result = run(answerable(), "Wagner arrived in late 2021 in Mali.", cited=["000.txt"])
    assert result.passed and result.failed_facts == [] and result.source_hit is True


def test_missing_group_is_reported_and_fails() -> None:
    result = run(answerable(), "Wagner arrived in Mali.", cited=["000.txt"])
    assert not result.passed
    assert result.failed_facts == [0]


def test_right_facts_wrong_citation_fails() -> None:
    result = run(answerable(), "Wagner arrived in Mali in December 2021.", cited=["004.txt"])
    assert result.failed_facts == [] and result.source_hit is False and not result.passed


def test_case_without_facts_passes_on_citation_alone() -> None:
    case = answerable(facts=[])
    assert run(case, "anything", cited=["003.txt"]).passed
    assert not run(case, "anything", cited=["001.txt"]).passed


def test_case_without_sources_passes_on_facts_alone() -> None:
    result = run(answerable(sources=[]), "Mali, December 2021.")
    assert result.passed and result.source_hit is None


def test_cited_repeats_are_collapsed_in_order() -> None:
    result = run(answerable(), "Mali, late 2021.", cited=["003.txt", "001.txt", "003.txt"])
    assert result.cited == ["003.txt", "001.txt"]


# --- abstention ----------------------------------------------------------------


def test_abstain_case_passes_only_on_abstention() -> None:
    case = unanswerable()
    assert run(case, "I could not find that in the articles.", abstained=True).passed
    refused = run(case, "Argentina won.", abstained=False)
    assert not refused.passed and refused.source_hit is None


def test_answerable_case_that_abstains_fails_even_if_refusal_mentions_facts() -> None:
    result = run(answerable(), "Nothing about Mali in December 2021.", abstained=True, cited=["000.txt"])
    assert not result.passed
    assert result.failed_facts == [0, 1]


# --- summary metrics -----------------------------------------------------------


def test_summary_keys_and_core_rates() -> None:
    good = answerable(id="good")
    wrong_source = answerable(id="wrong")
    abstain_ok = unanswerable(id="abs-ok")
    abstain_missed = unanswerable(id="abs-missed")
    cases = [good, wrong_source, abstain_ok, abstain_missed]
    results = [
        run(good, "Mali, late 2021", cited=["000.txt", "004.txt"], latency_ms=10),
        run(wrong_source, "Mali, late 2021", cited=["004.txt"], latency_ms=20),
        run(abstain_ok, "no answer", abstained=True, latency_ms=30),
        run(abstain_missed, "Argentina", latency_ms=40),
    ]
    summary = summarize(cases, results)
    assert set(summary) == {
        "cases", "passed", "errors", "pass_rate", "fact_accuracy", "source_hit", "citation_precision",
        "abstain_precision", "abstain_recall", "abstain_f1", "hit_at_5", "mrr",
        "latency_p50_ms", "latency_p95_ms", "answer_words_median", "by_tag",
    }
    assert summary["cases"] == 4 and summary["passed"] == 2 and summary["pass_rate"] == 0.5
    assert summary["fact_accuracy"] == 1.0
    assert summary["source_hit"] == 0.5
    assert summary["citation_precision"] == round(1 / 3, 4)  # 1 expected of 3 cited docs
    assert summary["abstain_precision"] == 1.0
    assert summary["abstain_recall"] == 0.5
    assert summary["abstain_f1"] == round(2 / 3, 4)
    assert summary["latency_p50_ms"] == 25.0
    assert summary["latency_p95_ms"] == 38.5


def test_undefined_rates_are_none() -> None:
    case = answerable(id="only")
    summary = summarize([case], [run(case, "Mali, late 2021")])
    assert summary["citation_precision"] is None
    assert summary["abstain_precision"] is None and summary["abstain_recall"] is None
    assert summary["abstain_f1"] is None


def test_hit_at_5_and_mrr_use_distinct_doc_ids() -> None:
    late = answerable(id="late", sources=["003.txt"])
    missing = answerable(id="missing", sources=["003.txt"])
    first = answerable(id="first", sources=["000.txt", "003.txt"])
    results = [
        # Six chunks, five distinct docs: 003 is the 5th distinct doc (a hit at 5, rank 5).
        run(late, retrieved=["001.txt", "001.txt", "002.txt", "004.txt", "000.txt", "003.txt"]),
        # 003 is the 6th distinct doc: not a hit at 5, but it still counts for MRR.
        run(missing, retrieved=["001.txt", "002.txt", "004.txt", "000.txt", "005.txt", "003.txt"]),
        run(first, retrieved=["003.txt", "000.txt"]),
    ]
    summary = summarize([late, missing, first], results)
    assert summary["hit_at_5"] == round(2 / 3, 4)
    assert summary["mrr"] == round((1 / 5 + 1 / 6 + 1) / 3, 4)


def test_by_tag_breakdown() -> None:
    passing = answerable(id="p", tags=["x"])
    failing = answerable(id="f", tags=["x", "y"])
    refusing = unanswerable(id="u")
    results = [
        run(passing, "Mali, late 2021", cited=["000.txt"]),
        run(failing, "Mali", cited=["000.txt"]),
        run(refusing, "", abstained=True),
    ]
    assert summarize([passing, failing, refusing], results)["by_tag"] == {
        "off-topic": {"cases": 1, "passed": 1, "pass_rate": 1.0},
        "x": {"cases": 2, "passed": 1, "pass_rate": 0.5},
        "y": {"cases": 1, "passed": 0, "pass_rate": 0.0},
    }


def test_summarize_rejects_results_for_unknown_cases() -> None:
    with pytest.raises(ValueError, match="ghost"):
        summarize([answerable()], [run(answerable(id="ghost"), "Mali")])


def test_case_result_to_dict_is_json_serialisable() -> None:
    result = run(answerable(), "Mali, late 2021", cited=["000.txt"], retrieved=["000.txt"])
    assert json.loads(json.dumps(result.to_dict()))["cited"] == ["000.txt"]


# --- case model and loader -----------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "x", "question": "q"},  # answerable without facts or sources
        {"id": "x", "question": "q", "abstain": True, "facts": [["a"]]},
        {"id": "x", "question": "q", "sources": ["a"], "surprise": 1},
        {"id": "x", "question": "q", "facts": [[]]},
        {"id": "x", "question": "q", "facts": [["--"]]},
    ],
)
def test_invalid_cases_are_rejected(fields: dict) -> None:
    with pytest.raises(ValueError):
        Case(**fields)


def test_load_cases_lists_every_bad_line(tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    second = tmp_path / "second.jsonl"
    first.write_text(
        '{"id": "one", "question": "q", "sources": ["a"]}\n'
        "\n"
        '{"id": "two", "question": "q", "sources": ["a"]\n'  # line 3: bad JSON
        '{"id": "three", "sources": ["a"]}\n',  # line 4: no question
        encoding="utf-8",
    )
    second.write_text('{"id": "one", "question": "again", "sources": ["b"]}\n', encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        load_cases([first, second])
    message = str(caught.value)
    assert f"{first}:3: Invalid JSON" in message
    assert f"{first}:4: question: Field required" in message
    assert f"{second}:1: duplicate id 'one' (first at {first}:1)" in message


def test_load_cases_reads_valid_files(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text('\n{"id": "one", "question": "q", "abstain": true}\n\n', encoding="utf-8")
    [case] = load_cases([path])
    assert case.abstain and case.facts == [] and case.history == []


# --- the seed eval set ----------------------------------------------------------


def test_seed_cases_load_and_cover_every_kind() -> None:
    cases = load_cases([SEED])
    assert len(cases) >= 60
    tags = [tag for case in cases for tag in case.tags]
    for tag, minimum in {
        "single-fact": 25, "cross-article": 3, "paraphrase": 3, "date-number": 3,
        "follow-up": 8, "off-topic": 8, "not-in-corpus": 6, "boilerplate": 1,
    }.items():
        assert tags.count(tag) >= minimum, tag
    assert all(case.history for case in cases if "follow-up" in case.tags)
    assert all(case.abstain for case in cases if "unanswerable" in case.tags)


def test_seed_sources_exist_and_state_the_facts() -> None:
    """Every fact alternative is in the text of at least one expected source."""
    for case in load_cases([SEED]):
        texts = [normalize((CORPUS / source).read_text(encoding="utf-8")) for source in case.sources]
        assert len(texts) == len(case.sources)
        for group in case.facts:
            for alternative in group:
                found = any(f" {normalize(alternative)} " in f" {text} " for text in texts)
                assert found, (case.id, alternative)
