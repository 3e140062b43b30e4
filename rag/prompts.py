"""Every fixed phrase the system says, and every prompt it sends, in one place."""

# The whole answer when the corpus does not hold one. Evals and the UI recognise an
# abstention by this exact text.
ABSTAIN = "I could not find this in the corpus."

NO_INDEX = "The index is empty: run `rag ingest` first."

# Added to ABSTAIN when the question is in another language than the corpus.
OTHER_LANGUAGE = ("The question does not look like English, the language of the corpus: "
                  "please ask it in English.")
