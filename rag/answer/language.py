"""Whether a question is in another language than the corpus (English news).

Answering a French question from English passages gives unrelated sentences that
happen to share a name with it; saying so is better. Function words tell languages
apart well even in a short question: NLTK's stopword lists for some thirty languages
ship inside llama-index-core, so this works offline with nothing to download.
"""

import re
from functools import lru_cache
from pathlib import Path

import llama_index.core

CORPUS_LANGUAGE = "english"
_STOPWORDS = Path(llama_index.core.__file__).parent / "_static" / "nltk_cache" / "corpora" / "stopwords"
# Hinglish's list is mostly English words: it would claim English questions.
_SKIPPED = {"hinglish", "README"}
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _function_words() -> dict[str, frozenset[str]]:
    return {path.name: frozenset(path.read_text(encoding="utf-8").split())
            for path in sorted(_STOPWORDS.iterdir()) if path.name not in _SKIPPED}


def in_other_language(question: str) -> bool:
    """Whether the question is plainly not in the corpus's language: more of its words are
    function words of another language than of English, or it has no Latin letters and
    none we know (a script like Chinese's)."""
    words = _WORD.findall(question.lower())
    if not words:
        return False
    hits = {language: sum(word in stopwords for word in words)
            for language, stopwords in _function_words().items()}
    if max(hits.values()) > hits[CORPUS_LANGUAGE]:
        return True
    return not max(hits.values()) and not any(ch.isascii() for word in words for ch in word)
