from pathlib import Path

from rag.lexical import LexicalIndex, stamp, terms


def test_terms_drop_stopwords_and_stem() -> None:
    assert terms("The troops operated in Mali.") == ["troop", "oper", "mali"]


def test_build_search_save_load(tmp_path: Path) -> None:
    ids = ["a", "b", "c"]
    index = LexicalIndex.build(ids, ["Wagner deployed to Mali in 2021.", "The cat sat on the mat.",
                                     "Sadio Camara of Mali was sanctioned by the Treasury."])
    assert [i for i, _ in index.search("Who was sanctioned by the Treasury?", 3)] == ["c"]
    assert index.idf("mali") < index.idf("camara") < index.idf("unseen")
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded.ids == ids and loaded.built_from == stamp(ids)
    assert loaded.search("deployed Mali", 1)[0][0] == "a"
    # Saving again replaces the index whole.
    LexicalIndex.build(["x"], ["Only one passage now."]).save(tmp_path / "bm25")
    assert LexicalIndex.load(tmp_path / "bm25").ids == ["x"]


def test_empty_and_missing(tmp_path: Path) -> None:
    assert LexicalIndex.build([], []).search("anything", 5) == []
    assert LexicalIndex.load(tmp_path / "nothing") is None


def test_stamp_depends_on_ids_not_order() -> None:
    assert stamp(["a", "b"]) == stamp(["b", "a"]) != stamp(["a"])
