"""Names: capitalised words, read as names of people, places, organisations."""

import re

# A capitalised word not at the start of a sentence: a name, a month, a place.
INNER_NAME = re.compile(r"(?<=[\w,;:)’'\"] )([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)")
# Capitalised words that start sentences or stand for a source, not names.
NOT_NAMES = {"I", "The", "A", "An", "It", "This", "That", "These", "Those", "He", "She",
             "They", "We", "In", "On", "At", "Of", "And", "But", "Or", "However", "Source",
             "Sources", "Passage", "According"}
# Capitalised words that are not names of anything an answer could be (lower-cased).
STOP_NAMES = {"i", "the", "a", "an", "in", "on", "it", "he", "she", "they", "this", "that"}
# A run of capitalised words, with the small words names hold ("Bank of England").
CAPITALISED_RUN = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:of|the|and|for)\s+)*[A-Z][\w’'-]*)*")
LINKING = {"of", "the", "and", "for"}
