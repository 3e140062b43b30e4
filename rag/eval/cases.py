"""Eval cases: the JSONL schema and a loader that reports every bad line at once.

One case per line::

    {"id": "seed-001", "question": "...", "history": ["earlier user turn"],
     "facts": [["December 2021"], ["18,000", "18000"]], "sources": ["003_....txt"],
     "abstain": false, "tags": ["single-fact"], "as_of": "2022-06-17"}

``facts`` is a list of groups; the answer must contain one alternative of every group.
``sources`` lists every document that states the answer; citing any one of them counts.
``as_of`` (optional) asks the question as of that date (`rag ask --as-of`).
"""

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class CaseFileError(ValueError):
    """One or more case files are invalid; the message has one `path:line: reason` per problem."""


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NonEmptyStr
    question: NonEmptyStr
    history: list[NonEmptyStr] = []
    facts: list[list[NonEmptyStr]] = []
    sources: list[NonEmptyStr] = []
    abstain: bool = False
    tags: list[NonEmptyStr] = []
    # Asked as of this date (YYYY-MM-DD): later documents left out, "this week" counted back from it.
    as_of: date | None = None

    @model_validator(mode="after")
    def _consistent_expectations(self) -> "Case":
        for group in self.facts:
            if not group:
                raise ValueError("a fact group needs at least one alternative")
            # An alternative without letters or digits normalises to nothing and
            # would match every answer.
            for alternative in group:
                if not any(ch.isalnum() for ch in alternative):
                    raise ValueError(f"fact alternative {alternative!r} has no letters or digits")
        if self.abstain and self.facts:
            raise ValueError("an abstain case cannot have facts")
        if not self.abstain and not (self.facts or self.sources):
            raise ValueError("an answerable case needs facts or sources")
        return self


def _describe(error: ValidationError) -> str:
    """Pydantic's errors in one short line: `field: message; field: message`."""
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _parse_line(text: str) -> Case:
    """Raises ValueError with a short reason for bad JSON or an invalid case."""
    try:
        return Case.model_validate_json(text)
    except ValidationError as error:  # pydantic reports bad JSON as a validation error too
        raise ValueError(_describe(error)) from None


def load_cases(paths: Iterable[Path]) -> list[Case]:
    """Read cases from JSONL files in order, skipping blank lines.

    Collects every problem before raising, so one run of the loader shows the whole
    list of lines to fix. Ids must be unique across all files because results and
    reports are keyed by id.
    """
    cases: list[Case] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for path in paths:
        path = Path(path)
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not text.strip():
                continue
            where = f"{path}:{number}"
            try:
                case = _parse_line(text)
            except ValueError as error:
                problems.append(f"{where}: {error}")
                continue
            if case.id in first_seen:
                problems.append(f"{where}: duplicate id {case.id!r} (first at {first_seen[case.id]})")
                continue
            first_seen[case.id] = where
            cases.append(case)
    if problems:
        raise CaseFileError("invalid eval cases:\n" + "\n".join(problems))
    return cases
