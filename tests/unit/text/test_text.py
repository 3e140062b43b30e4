"""rag/text: the primitives every reader of text shares."""

from rag.text.acronyms import undotted
from rag.text.markers import MARKER, SPACED_MARKER, move_markers, repair_markers
from rag.text.numbers import COUNTS, DIGITS
from rag.text.sentences import sentence_spans
from rag.text.terms import terms


def test_sentences_are_offsets_into_the_text() -> None:
    text = "Mr. Diallo spoke. Troops left in 2024!\nA heading\n  Then more."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Mr. Diallo spoke.", "Troops left in 2024!", "A heading",
                                             "Then more."]
    assert sentence_spans("One. Two.", offset=10) == [(10, 14), (15, 19)]


def test_one_marker_pattern_and_the_repair_of_others() -> None:
    assert MARKER.findall("A [1] b [23].") == ["1", "23"]
    assert SPACED_MARKER.sub("", "It stayed [2].") == "It stayed."
    assert repair_markers("A [Source 1]. B 【2】. C (3). D [1, 2]. E [7].", 3) == \
        "A [1]. B [2]. C [3]. D [1][2]. E."
    assert move_markers("Done. [1] Next.") == "Done [1]. Next."


def test_numbers_acronyms_and_terms() -> None:
    assert DIGITS.findall("1,200 troops in 3.5 days") == ["1,200", "3.5"]
    assert COUNTS["three"] == "3" and "one" not in COUNTS
    assert undotted("the U.S. army, e.g. here") == "the US army, eg here"
    assert terms("The troops deployed") == ["troop", "deploy"]  # bm25s's short stopword list
