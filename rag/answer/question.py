"""What a question asks for, read without a model: the kind of answer it wants (a date,
a number, a name) and the specific things it names (names, numbers, years) that a
passage must mention to answer it.

A regex reading is crude but costs nothing at query time; spaCy's small English NER
model was tried instead and costs more per question than the whole answer step
(evals/README.md).
"""

import re
import unicodedata

from rag.prompts import TOO_LONG
from rag.text.acronyms import undotted
from rag.text.dates import DATE_WORDS
from rag.text.names import CAPITALISED_RUN, LINKING, NOT_NAMES, STOP_NAMES
from rag.text.numbers import QUANTITY
from rag.text.terms import terms

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

_WORD = re.compile(r"[^\W_][\w’'.-]*")


def readable(question: str) -> str:
    """The question as typed, control characters (a NUL, a pasted escape) read as spaces."""
    return " ".join("".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch
                            for ch in question).split())


def too_long(text: str, what: str, limit: int) -> str | None:
    """The one-line refusal of a `text` longer than `limit` (RAG_UI__MAX_TEXT_CHARS), else
    None. Checked first: reading, embedding and searching a long text cost seconds of CPU
    for each megabyte, and a few such questions would fill the chat's concurrency."""
    return TOO_LONG.format(what=what, limit=limit) if len(text) > limit else None


def has_words(question: str) -> bool:
    """Whether there is anything to search for: a letter or a digit."""
    return any(ch.isalnum() for ch in question)


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
        found = [m.group(0) for m in DATE_WORDS.finditer(sentence)]
    elif kind == NUMBER:
        found = [w for w in _WORD.findall(sentence) if QUANTITY.search(w)]
    else:
        found = _names(sentence)
    return any(set(terms(f)) - question_terms or not terms(f) for f in found
               if f.lower() not in STOP_NAMES)


_EXPLAINS = re.compile(r"^\W*(why|how)\b", re.IGNORECASE)


def explains(question: str) -> bool:
    """A why or how question (not "how many"): its answer may take more than one sentence."""
    return asked_type(question) is None and bool(_EXPLAINS.search(question))


def question_words(question: str) -> set[str]:
    """The question's words as written, lower-cased: what a span must add to."""
    return {w.lower() for w in _WORD.findall(question)}


def span_has_type(span: str, kind: str | None, question_terms: set[str]) -> bool:
    """Can a reader's span answer a question asking for `kind`? It must hold a number for
    a how-many question, a date or time for a when question, a name or place (a capitalised
    word: a span has no sentence start) for a who/where one, and, whatever the kind,
    something the question does not already say ("Wagner mercenaries" answers no question
    about Wagner's mercenaries). `question_terms`: `question_words` of the question."""
    # Words as written, not stems: "Structural" answers "… the crystalline structure …?".
    asked = {w.lower() for w in question_terms}
    new = [w for w in _WORD.findall(span)
           if w.lower() not in asked and (any(ch.isdigit() for ch in w) or plain_terms(w))]
    if kind == DATE:
        return any(DATE_WORDS.search(w) or any(ch.isdigit() for ch in w) for w in new)
    if kind == NUMBER:
        return any(QUANTITY.search(w) for w in new)
    if kind == NAME:
        return any(w[0].isupper() and w not in NOT_NAMES and w.lower() not in STOP_NAMES for w in new)
    return bool(new)



def constraints(question: str) -> set[str]:
    """The terms of the names, numbers and years a question specifies: an answer's
    passage that mentions none of, say, "2020" answers another question. Of a hyphenated
    word only the named part counts: "Chinese-style" specifies "Chinese"."""
    return {t for name in _names(question) for part in name.split("-")
            if part[:1].isupper() or any(ch.isdigit() for ch in part) for t in plain_terms(part)}


_OPPOSED = re.compile(r"\b(?:non|anti|pro|un|counter)-\w+", re.IGNORECASE)


def opposed(question: str) -> set[str]:
    """Words a prefix turns into their opposite ("non-Islamic", "pro-Chinese"): a passage
    that has only "Islamic" or "anti-Chinese" answers another question."""
    return {w.lower() for w in _OPPOSED.findall(question)}


_SECOND_QUESTION = re.compile(r",? and (who|whom|whose|what|when|where|which|why|how)\b", re.IGNORECASE)


def compound(question: str) -> bool:
    """Does the question ask two things ("When did France leave, and when had it come?")?"""
    return bool(_SECOND_QUESTION.search(question))


_NEGATION = re.compile(r"\b(not|never|no|none|nothing|nobody|without|cannot)\b|n[’']t\b", re.IGNORECASE)


def negated(text: str) -> bool:
    """"Which region did not invent it?" asks for the opposite of a sentence without a "not"."""
    return bool(_NEGATION.search(text))



def plain_terms(text: str) -> list[str]:
    """`terms`, with "U.S." read as "US" and accents dropped ("Temür" is "Temur")."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return terms(undotted(folded))




def abbreviable(question: str) -> dict[str, set[str]]:
    """The initials of each name of two words or more in the question, with its terms: a
    passage that has "US" mentions the question's "United States"."""
    found: dict[str, set[str]] = {}
    # Past the first word, which is capitalised for being first ("Did the United States ...").
    for run in CAPITALISED_RUN.findall((question.split(None, 1) or [""])[-1]):
        words = [w for w in run.split() if w not in LINKING]
        if len(words) >= 2:
            found.setdefault("".join(w[0] for w in words).lower(), set()).update(plain_terms(run))
    return found


def acronyms(text: str) -> set[str]:
    """The initials of every run of capitalised words, lower-cased: a question's "EU" or
    "UMC" is mentioned by a passage that spells out "European Union" or "United Methodist
    Church"."""
    found: set[str] = set()
    for run in CAPITALISED_RUN.findall(text):
        initials = "".join(w[0] for w in run.split() if w not in LINKING).lower()
        found.update(initials[i:j] for i in range(len(initials))
                     for j in range(i + 2, min(len(initials), i + 6) + 1))
    return found


# Short forms a question may use for what a passage spells out ("3rd", "Feb").
_SAME_AS = {short: terms(full)[0] for short, full in [
    ("1st", "first"), ("2nd", "second"), ("3rd", "third"), ("4th", "fourth"), ("5th", "fifth"),
    ("6th", "sixth"), ("7th", "seventh"), ("8th", "eighth"), ("9th", "ninth"), ("10th", "tenth"),
    ("jan", "January"), ("feb", "February"), ("mar", "March"), ("apr", "April"), ("jun", "June"),
    ("jul", "July"), ("aug", "August"), ("sep", "September"), ("sept", "September"),
    ("oct", "October"), ("nov", "November"), ("dec", "December")]}


def mentioned(term: str, present: set[str], spelled_out: set[str]) -> bool:
    """Is a name the question specifies among a passage's terms, allowing for the forms a
    name takes: "Russian" for "Russia", "Malians" for "Mali" (one stem a prefix of the
    other), "EU(s)" for "European Union", and one slip of spelling in a long name
    ("Zeria" for "Zeira", "Defense" for "Defence")? Numbers must match exactly."""
    if term in present or term in spelled_out or term.rstrip("s") in spelled_out:
        return True
    if _SAME_AS.get(term) in present:
        return True
    if any(ch.isdigit() for ch in term) or len(term) < 4:
        return False
    return any(len(other) >= 4 and (other.startswith(term) or term.startswith(other)
                                    or (len(term) >= 5 and _one_edit(term, other)))
               for other in present)


def _one_edit(a: str, b: str) -> bool:
    """One letter replaced, added, dropped, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
