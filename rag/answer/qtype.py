"""What kind of answer a question asks for, and whether a sentence has one.

A cheap stand-in for the extractive QA reader we cannot ship: "When ..." wants a
date, "How many ..." a number, "Who ..." a name the question does not already
contain. A sentence that could not possibly answer gets no bonus.
"""

import re

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DATE = re.compile(
    rf"\b(?:1\d{{3}}|20\d{{2}}|{_MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|yesterday|today|tomorrow|century|centuries|decades?|years?|months?|weeks?|days?|"
    r"spring|summer|autumn|fall|winter|\d{1,2}(?:st|nd|rd|th)|bc|ad)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|"
    r"half|several|few|many|single|double|triple)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w’'-]+")


def expected_type(question: str) -> str | None:
    q = question.lower().strip()
    if re.match(r"(in |by |since |until )?(when|what year|which year|what date|what time|"
                r"what century|what decade|how long ago)\b", q) or re.search(r"\bwhat year\b", q):
        return "date"
    if re.search(r"\bhow (many|much|long|old|far|big|large)\b|\bwhat (percentage|number|amount)\b", q):
        return "number"
    if re.match(r"(who|whom|whose)\b", q):
        return "name"
    return None


def has_answer_type(kind: str | None, sentence: str, question: str) -> bool:
    if kind == "date":
        return bool(_DATE.search(sentence))
    if kind == "number":
        return bool(_NUMBER.search(sentence))
    if kind == "name":
        asked = {w.lower() for w in re.findall(r"[\w’'-]+", question)}
        return any(m.group().lower() not in asked for m in _NAME.finditer(sentence))
    return False
