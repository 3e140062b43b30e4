from llama_index.core.schema import Document

from rag.ingest.chunk import chunk_document, count_tokens, sentence_spans
from rag.ingest.load import content_hash, load_corpus
from tests.samples import SEED_CORPUS


def spans_text(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentences_respect_abbreviations_quotes_and_lines() -> None:
    text = ("Mr. Lavrov arrived. The U.S. Treasury acted on Jan. 5 in Washington! Did it? "
            "“Yes,” he said.\nA heading\nLast line.")
    assert spans_text(text) == ["Mr. Lavrov arrived.", "The U.S. Treasury acted on Jan. 5 in Washington!",
                                "Did it?", "“Yes,” he said.", "A heading", "Last line."]


def test_sentence_offsets_are_exact() -> None:
    text = "  One two.   Three four?\n\nFive."
    for (s, e), piece in zip(sentence_spans(text, offset=10), ["One two.", "Three four?", "Five."]):
        assert text[s - 10 : e - 10] == piece


def doc(text: str) -> Document:
    d = Document(id_="d.txt", text=text, metadata={"doc_id": "d.txt", "title": "T"})
    d.metadata["content_hash"] = content_hash(d)
    return d


def test_chunks_fit_overlap_and_point_into_the_document() -> None:
    sentences = [f"Sentence number {i} talks about topic {i % 7} in some detail." for i in range(60)]
    d = doc(" ".join(sentences))
    nodes = chunk_document(d, max_tokens=60, overlap_tokens=15)
    assert len(nodes) > 5
    for i, node in enumerate(nodes):
        assert count_tokens(node.text) <= 60
        assert d.text[node.start_char_idx : node.end_char_idx] == node.text
        assert node.metadata["chunk"] == i and node.metadata["n_chunks"] == len(nodes)
        assert node.ref_doc_id == "d.txt"
    for before, after in zip(nodes, nodes[1:]):
        assert after.start_char_idx < before.end_char_idx  # overlap
        assert after.start_char_idx > before.start_char_idx  # progress
    assert nodes[0].start_char_idx == 0 and nodes[-1].end_char_idx == len(d.text)


def test_overlong_sentence_is_cut_into_windows() -> None:
    d = doc("word " * 500)
    nodes = chunk_document(d, max_tokens=100, overlap_tokens=20)
    assert all(count_tokens(n.text) <= 101 for n in nodes)
    assert "".join(n.text for n in nodes).split() == d.text.split()


def test_chunk_ids_are_deterministic_and_change_with_content() -> None:
    a = [n.node_id for n in chunk_document(doc("Alpha beta. Gamma delta."), 50, 10)]
    b = [n.node_id for n in chunk_document(doc("Alpha beta. Gamma delta."), 50, 10)]
    c = [n.node_id for n in chunk_document(doc("Alpha beta. Gamma changed."), 50, 10)]
    assert a == b and a != c


def test_seed_chunks_fit_the_embedder_window() -> None:
    for d in load_corpus(SEED_CORPUS).documents:
        d.metadata["content_hash"] = content_hash(d)
        for node in chunk_document(d, 200, 40):
            assert count_tokens(node.text) <= 200
