from pathlib import Path

from rag.index.lexical import LexicalIndex, stamp, terms
from tests.samples import SEED_CORPUS


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


def _seed_passages() -> tuple[list[str], list[str]]:
    from rag.ingest.chunk import sentence_spans

    texts = []
    for file in sorted(SEED_CORPUS.glob("*.txt")):
        text = file.read_text()
        texts += [text[s:e] for s, e in sentence_spans(text)]
    return [f"s{i}" for i in range(len(texts))], texts


QUERIES = ["When did Wagner deploy to Mali?", "Operation Barkhane withdrawal August",
           "Who was sanctioned by the Treasury?", "Mali Mali junta elections", "zzz unseen words"]


def test_scores_are_bm25s_scores() -> None:
    import bm25s
    import numpy as np

    from rag.text.terms import STEMMER, STOPWORDS, tokens

    ids, texts = _seed_passages()
    ours = LexicalIndex.build(ids, texts)
    reference = bm25s.BM25()
    reference.index(bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=STEMMER, show_progress=False),
                    show_progress=False)
    for query in QUERIES:
        expected = reference.get_scores(tokens([query])[0] or [""])
        assert np.allclose(ours.postings.scores(terms(query)), expected, atol=1e-5)


def test_an_updated_index_equals_a_rebuilt_one() -> None:
    ids, texts = _seed_passages()
    before = LexicalIndex.build(ids[:-20], texts[:-20])
    # Drop every third passage, add the last twenty.
    present = {i for n, i in enumerate(ids) if n % 3}
    updated = before.updated(present, ids[-20:], texts[-20:])
    final = [(i, t) for i, t in zip(ids, texts) if i in present or i in ids[-20:]]
    rebuilt = LexicalIndex.build([i for i, _ in final], [t for _, t in final])
    assert sorted(updated.ids) == sorted(rebuilt.ids) and updated.built_from == rebuilt.built_from
    for query in QUERIES:
        got, want = dict(updated.search(query, 10)), dict(rebuilt.search(query, 10))
        assert got.keys() == want.keys()
        assert all(abs(got[i] - want[i]) < 1e-5 for i in got)
    assert updated.idf("mali") == rebuilt.idf("mali")


def test_postings_updated_many_times_equal_rebuilt_ones() -> None:
    import random

    import numpy as np

    from rag.index.postings import Postings

    rng = random.Random(8)
    words = [f"w{i}" for i in range(40)]
    docs = [[rng.choice(words) for _ in range(rng.randint(0, 12))] for _ in range(60)]
    live, postings = list(range(20)), Postings.build(docs[:20])
    for start in range(20, 60, 10):
        keep = np.array([rng.random() < 0.8 for _ in live], dtype=bool)
        live = [d for d, k in zip(live, keep) if k] + list(range(start, start + 10))
        postings = postings.kept(keep).extended(docs[start:start + 10])
        rebuilt = Postings.build([docs[d] for d in live])
        assert postings.size == rebuilt.size == len(live)
        for query in (["w1"], ["w2", "w3", "w3"], words[:10], ["unseen"]):
            assert np.allclose(postings.scores(query), rebuilt.scores(query), atol=1e-6)
        assert all(postings.df(w) == rebuilt.df(w) for w in words)


def test_a_saved_index_of_the_older_layout_is_rebuilt(tmp_path: Path) -> None:
    import numpy as np

    index = LexicalIndex.build(["a"], ["Wagner deployed to Mali."])
    index.save(tmp_path / "bm25")
    # The layout before postings were kept grouped by term: a term column, no indptr.
    np.savez(tmp_path / "bm25" / "postings.npz", doc=index.postings.doc, term=index.postings.doc,
             tf=index.postings.tf, lengths=index.postings.lengths)
    assert LexicalIndex.load(tmp_path / "bm25") is None
