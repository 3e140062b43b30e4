"""Scoring answers against eval cases, and the summary metrics of a run.

Fact matching is deliberately forgiving about form and strict about content: both the
answer and each fact alternative go through `normalize`, and an alternative matches
when it appears in the answer as whole words. So "Goita" matches "Goïta", "18,000"
matches "18000", "U.S." matches "US", but "Mali" does not match "Malian".
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np

from rag.eval.cases import Case
from rag.text.acronyms import undotted

# A comma between digits followed by exactly three digits: "18,000", "1,234,567",
# but not "2020,2021" or "1,2,3".
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# Anything that is not a letter or digit (underscore counts as punctuation here).
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Fold text to a canonical form for fact matching.

    Steps, in order: NFKD and drop combining marks (accents), casefold, collapse
    dotted acronyms ("U.S." -> "us", so it matches "US"; the price is that it also
    matches the pronoun "us"), drop thousands separators ("18,000" -> "18000"), turn
    every run of non-letters/digits into one space (curly quotes and apostrophes
    included, so "Mali’s" -> "mali s" like "Mali's"), and trim.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    text = undotted(text)
    text = _THOUSANDS_COMMA.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def contains_fact(answer: str, alternative: str) -> bool:
    """Whole-word match of a normalised alternative inside a normalised answer."""
    return f" {normalize(alternative)} " in f" {normalize(answer)} "


def missing_facts(facts: list[list[str]], answer: str) -> list[int]:
    """Indexes of the fact groups none of whose alternatives appear in the answer."""
    return [
        index
        for index, group in enumerate(facts)
        if not any(contains_fact(answer, alternative) for alternative in group)
    ]


def _distinct(doc_ids: Iterable[str]) -> list[str]:
    """Doc ids with repeats removed, first occurrence kept (chunks of one doc repeat it)."""
    return list(dict.fromkeys(doc_ids))


@dataclass
class CaseResult:
    id: str
    question: str
    passed: bool
    answer: str
    abstained: bool
    cited: list[str]
    retrieved: list[str]
    failed_facts: list[int]
    # None when there is nothing to check: abstain cases and cases without sources.
    source_hit: bool | None
    latency_ms: float
    tags: list[str]
    # Generated answers: each sentence's verification status, time to the first token.
    sentence_statuses: list[str] | None = None
    first_token_ms: float | None = None
    # Why no answer came: the case failed with this error (one case's error ends no run).
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def score_case(
    case: Case,
    *,
    answer: str,
    abstained: bool,
    cited: list[str],
    retrieved: list[str],
    latency_ms: float,
    sentence_statuses: list[str] | None = None,
    first_token_ms: float | None = None,
) -> CaseResult:
    """Score one answer.

    An abstain case passes exactly when the system abstained. An answerable case
    passes when the system did not abstain, every fact group has a matching
    alternative, and at least one cited doc is an expected source; a case without
    facts is judged on the citation alone, one without sources on the facts alone.
    An abstention carries no facts, so all groups fail even if the refusal text
    happens to contain a fact word. `cited` is stored without repeats; `retrieved`
    is stored as given (one entry per retrieved chunk).
    """
    cited = _distinct(cited)
    if case.abstain:
        failed: list[int] = []
        source_hit = None
        passed = abstained
    else:
        failed = missing_facts(case.facts, "" if abstained else answer)
        source_hit = bool(set(cited) & set(case.sources)) if case.sources else None
        passed = not abstained and not failed and source_hit is not False
    return CaseResult(
        id=case.id,
        question=case.question,
        passed=passed,
        answer=answer,
        abstained=abstained,
        cited=cited,
        retrieved=list(retrieved),
        failed_facts=failed,
        source_hit=source_hit,
        latency_ms=latency_ms,
        tags=list(case.tags),
        sentence_statuses=sentence_statuses,
        first_token_ms=first_token_ms,
    )


def errored_case(case: Case, error: Exception, latency_ms: float) -> CaseResult:
    """A case whose question raised: failed, with the error's one-line message, and no answer."""
    message = str(error).splitlines()[0] if str(error) else ""
    return CaseResult(id=case.id, question=case.question, passed=False, answer="", abstained=False,
                      cited=[], retrieved=[], failed_facts=list(range(len(case.facts))),
                      source_hit=False if case.sources else None, latency_ms=latency_ms,
                      tags=list(case.tags), error=f"{type(error).__name__}: {message}".rstrip(": "))


def _rate(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def _reciprocal_rank(retrieved: list[str], expected: set[str]) -> float:
    """1/rank of the first expected doc among distinct retrieved docs, 0 if absent."""
    for rank, doc_id in enumerate(_distinct(retrieved), start=1):
        if doc_id in expected:
            return 1.0 / rank
    return 0.0


def _abstention_metrics(pairs: list[tuple[Case, CaseResult]]) -> dict[str, float | None]:
    """Precision, recall and F1 with "abstain" as the positive class."""
    true_pos = sum(case.abstain and result.abstained for case, result in pairs)
    predicted = sum(result.abstained for _, result in pairs)
    actual = sum(case.abstain for case, _ in pairs)
    precision = true_pos / predicted if predicted else None
    recall = true_pos / actual if actual else None
    if precision is None or recall is None:
        f1 = None
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = round(2 * precision * recall / (precision + recall), 4)
    return {
        "abstain_precision": None if precision is None else round(precision, 4),
        "abstain_recall": None if recall is None else round(recall, 4),
        "abstain_f1": f1,
    }


def _by_tag(results: list[CaseResult]) -> dict[str, dict]:
    counts: dict[str, list[int]] = {}
    for result in results:
        for tag in result.tags:
            seen = counts.setdefault(tag, [0, 0])
            seen[0] += 1
            seen[1] += result.passed
    return {
        tag: {"cases": total, "passed": passed, "pass_rate": _rate(passed, total)}
        for tag, (total, passed) in sorted(counts.items())
    }


def _percentile(values: list[float], q: float) -> float | None:
    return None if not values else round(float(np.percentile(values, q)), 2)


def _median(values: list[float]) -> float | None:
    return None if not values else float(np.median(values))


def _pair(cases: list[Case], results: list[CaseResult]) -> list[tuple[Case, CaseResult]]:
    """Match each result to its case by id; the results define which cases were run."""
    by_id = {case.id: case for case in cases}
    unknown = [result.id for result in results if result.id not in by_id]
    if unknown:
        raise ValueError(f"results for unknown case ids: {', '.join(unknown)}")
    return [(by_id[result.id], result) for result in results]


def summarize(cases: list[Case], results: list[CaseResult]) -> dict:
    """Aggregate metrics of a run. Rates are rounded to 4 places, None when undefined.

    Each metric is taken over the cases it can judge: `fact_accuracy` over
    answerable cases with facts, `source_hit`, `citation_precision`, `hit_at_5` and
    `mrr` over answerable cases with sources (citation precision is micro-averaged
    over distinct cited docs), abstention metrics over all cases.
    """
    pairs = _pair(cases, results)
    answerable = [(case, result) for case, result in pairs if not case.abstain]
    with_facts = [(case, result) for case, result in answerable if case.facts]
    with_sources = [(case, result) for case, result in answerable if case.sources]
    passed = sum(result.passed for result in results)
    cited_total = sum(len(result.cited) for _, result in with_sources)
    cited_expected = sum(len(set(result.cited) & set(case.sources)) for case, result in with_sources)
    hits_at_5 = sum(
        bool(set(_distinct(result.retrieved)[:5]) & set(case.sources)) for case, result in with_sources
    )
    reciprocal_ranks = sum(
        _reciprocal_rank(result.retrieved, set(case.sources)) for case, result in with_sources
    )
    latencies = [result.latency_ms for result in results if result.error is None]
    return {
        "cases": len(results),
        "passed": passed,
        "errors": sum(result.error is not None for result in results),
        "pass_rate": _rate(passed, len(results)),
        "fact_accuracy": _rate(sum(not r.failed_facts for _, r in with_facts), len(with_facts)),
        "source_hit": _rate(sum(bool(r.source_hit) for _, r in with_sources), len(with_sources)),
        "citation_precision": _rate(cited_expected, cited_total),
        **_abstention_metrics(pairs),
        "hit_at_5": _rate(hits_at_5, len(with_sources)),
        "mrr": _rate(reciprocal_ranks, len(with_sources)),
        "latency_p50_ms": _percentile(latencies, 50),
        "latency_p95_ms": _percentile(latencies, 95),
        "answer_words_median": _median([len(r.answer.split()) for r in results if not r.abstained]),
        "by_tag": _by_tag(results),
        **generation_metrics(results),
    }


def generation_metrics(results: list[CaseResult]) -> dict:
    """For generated answers: what the verifier did with the model's
    sentences (shares of all of them), and the time to the first token. Empty otherwise."""
    generated = [r for r in results if r.sentence_statuses is not None]
    if not generated:
        return {}
    statuses = [status for r in generated for status in r.sentence_statuses or []]
    first_tokens = [r.first_token_ms for r in generated if r.first_token_ms is not None]
    return {
        **{f"sentences_{s}": _rate(statuses.count(s), len(statuses))
           for s in ("verified", "reattributed", "flagged", "dropped")},
        "first_token_p50_ms": _percentile(first_tokens, 50),
        "first_token_p95_ms": _percentile(first_tokens, 95),
    }
