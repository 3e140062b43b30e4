"""Terms: the stemmed, stopword-free words BM25 indexes, and the words everything else
compares (term overlap in answering and verifying, what a question names).
"""

import bm25s
import Stemmer

STEMMER = Stemmer.Stemmer("english")
# bm25s's short English stopword list beat NLTK's longer one on answer pass rate in
# benchmarks/tune.py (the longer list helped ranking a little, answering less).
STOPWORDS = "en"
# Part of the BM25 index's stamp, so a saved index built with other tokenisation gets rebuilt.
TOKENIZER = f"bm25s stopwords={STOPWORDS} stemmer=snowball-english"


def terms(text: str) -> list[str]:
    """Stemmed, stopword-free terms, as BM25 sees them."""
    return tokens([text])[0]


def tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=STEMMER, return_ids=False,
                          show_progress=False)
