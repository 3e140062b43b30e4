"""What a question asks for, read without a model: the kind of answer it wants (a date,
a number, a name) and the specific things it names (names, numbers, years) that a
passage must mention to answer it.

A regex reading is crude but costs nothing at query time; spaCy's small English NER
model was tried instead and costs more per question than the whole answer step
(evals/README.md).
"""

import re

from rag.lexical import terms

DATE, NUMBER, NAME = "date", "number", "name"

_ASKS = [
    (DATE, re.compile(r"^\W*when\b|\b(what|which) (\w+ )?(year|years|date|day|month|century|decade|"
                      r"era|period|time)\b|\bhow long ago\b", re.IGNORECASE)),
    (NUMBER, re.compile(r"\bhow (many|much|long|far|old|big|large|tall|high|often|fast|deep|wide|"
                        r"heavy)\b|\b(what|which) (\w+ )?(number|percentage|percent|amount|proportion|share|"
                        r"population|size|cost|price|rate)\b", re.IGNORECASE)),
    (NAME, re.compile(r"^\W*(who|whom|whose|where)\b|\b(what|which) (\w+ )?(person|man|woman|city|country|"
                      r"town|place|region|state|province|village|nation|capital|continent|agency|"
                      r"organi[sz]ation|company|group|department|ministry|party|foundation|body|"
                      r"institution|university|team|force|army|newspaper|church|king|president|"
                      r"leader|minister|author|river|island)\b", re.IGNORECASE)),
]

# Case-sensitive: month names are capitalised, and "may" or "march" in lower case are verbs.
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_DATE = re.compile(rf"\b(1\d{{3}}|20\d{{2}})s?\b|\b({_MONTHS})\b|\b([Cc]entury|[Cc]enturies|"
                   r"[Dd]ecades?|ago|[Yy]esterday|[Tt]oday|Monday|Tuesday|Wednesday|Thursday|"
                   r"Friday|Saturday|Sunday)\b")
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                 "thirty|forty|fifty|sixty|hundred|hundreds|thousand|thousands|million|millions|"
                 "billion|billions|dozen|dozens|half|third|quarter|double|twice|percent")
_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_][\w’'.-]*")
# Capitalised words that are not names of anything an answer could be.
_STOP_NAMES = {"i", "the", "a", "an", "in", "on", "it", "he", "she", "they", "this", "that"}


def asked_type(question: str) -> str | None:
    """DATE, NUMBER or NAME when the question asks for one, else None ("Why ...?")."""
    return next((kind for kind, pattern in _ASKS if pattern.search(question)), None)


def _names(text: str) -> list[str]:
    """Capitalised words past a sentence's first word, and anything with a digit."""
    words = _WORD.findall(text)
    return [w for i, w in enumerate(words)
            if any(ch.isdigit() for ch in w) or (i > 0 and w[0].isupper())]


def has_type(sentence: str, kind: str | None, question_terms: set[str]) -> bool:
    """Does the sentence hold something of the asked kind that the question did not
    already name? ("When did Wagner deploy to Mali?" wants a date besides Mali.)"""
    if kind is None:
        return False
    if kind == DATE:
        found = [m.group(0) for m in _DATE.finditer(sentence)]
    elif kind == NUMBER:
        found = [w for w in _WORD.findall(sentence) if _NUMBER.search(w)]
    else:
        found = _names(sentence)
    return any(set(terms(f)) - question_terms or not terms(f) for f in found
               if f.lower() not in _STOP_NAMES)



def constraints(question: str) -> set[str]:
    """The terms of the names, numbers and years a question specifies: an answer's
    passage that mentions none of, say, "2020" answers another question."""
    return {t for name in _names(question) for t in plain_terms(name)}


_NEGATION = re.compile(r"\b(not|never|no|none|nothing|nobody|without|cannot)\b|n[’']t\b", re.IGNORECASE)


def negated(text: str) -> bool:
    """"Which region did not invent it?" asks for the opposite of a sentence without a "not"."""
    return bool(_NEGATION.search(text))


_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}")


def plain_terms(text: str) -> list[str]:
    """`terms`, with "U.S." read as "US"."""
    return terms(_DOTTED.sub(lambda m: m.group(0).replace(".", ""), text))
