"""The per-document cap on the final top k (unit: chunk ids only)."""

from rag.retrieve import cap_per_document

RANKED = ["a::h::0", "a::h::1", "a::h::2", "b::h::0", "c::h::0", "b::h::1"]


def test_cap_keeps_order_and_limits_each_document() -> None:
    assert cap_per_document(RANKED, 4, 0) == RANKED[:4]
    assert cap_per_document(RANKED, 4, 2) == ["a::h::0", "a::h::1", "b::h::0", "c::h::0"]
    assert cap_per_document(RANKED, 3, 1) == ["a::h::0", "b::h::0", "c::h::0"]


def test_cap_fills_from_the_rest_when_documents_run_out() -> None:
    assert cap_per_document(RANKED, 5, 1) == ["a::h::0", "b::h::0", "c::h::0", "a::h::1", "a::h::2"]
    assert cap_per_document(["x::h::0", "x::h::1"], 5, 1) == ["x::h::0", "x::h::1"]
