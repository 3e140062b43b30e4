"""Words that shape a question but never name what it is about."""

from rag.text.terms import terms

# As terms: a sentence need not contain "when" or "did" to answer "When did Wagner deploy?".
QUESTION_TERMS = set(terms("what when where which who whom whose why how did does do is are was "
                           "were has have had can could would should will much many"))
# As lower-cased words, with the articles and prepositions around them: what is left of a
# question without them is its own content ("Who backs it?" has one word of its own).
QUESTION_WORDS = {"what", "who", "whom", "whose", "when", "where", "which", "why", "how", "did",
                  "does", "do", "is", "are", "was", "were", "the", "a", "an", "of", "and", "or",
                  "in", "on", "at", "to", "for", "by", "with", "about", "much", "many", "has",
                  "have", "had", "can", "could", "would", "will", "s"}
