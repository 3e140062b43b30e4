"""One finished answer as a JSON record, with what it was asked with and what the index
held: what feedback and saved conversations store, and what reopening one checks.

A record keeps the cited passages verbatim and the content hash each cited document had,
so an old answer is always shown with the text it cited, and a document replaced or
deleted since is told apart instead of being looked up again.
"""

import dataclasses
import uuid
from datetime import UTC, datetime

from rag.answer import Answer, Citation
from rag.index.store import Store

REPLACED, DELETED = "replaced", "deleted"


def answer_record(answer: Answer, history: list[str], filters: object, backend: str,
                  store: Store) -> dict:
    """`filters` is whatever the request carried (a dataclass: dates, sources, as-of...)."""
    cited = sorted({c.doc_id for c in answer.citations})
    return {
        "id": uuid.uuid4().hex,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "question": answer.question,
        "history": list(history),
        "filters": _jsonable(filters),
        "backend": backend or answer.backend,
        "answer": answer.to_dict(),
        "index": {"chunks": store.count(), "documents": current_hashes(store, cited)},
    }


def _jsonable(filters: object) -> dict:
    if dataclasses.is_dataclass(filters) and not isinstance(filters, type):
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(filters).items()}
    return dict(filters or {})  # type: ignore[call-overload]


def current_hashes(store: Store, doc_ids: list[str]) -> dict[str, str]:
    """The content hash the index holds now for each of `doc_ids` that it holds."""
    if not doc_ids:
        return {}
    found = store.documents(where={"doc_id": {"$in": list(doc_ids)}})
    return {doc_id: doc.content_hash for doc_id, doc in found.items()}


def answer_of(record: dict) -> Answer:
    """The stored answer as an `Answer` again, its citations as they were."""
    fields = dict(record["answer"])
    citations = [Citation(**{**c, "highlights": [tuple(span) for span in c["highlights"]]})
                 for c in fields.pop("citations", [])]
    return Answer(**fields, citations=citations)


def changed_sources(record: dict, store: Store) -> dict[str, str]:
    """Cited documents that were replaced or deleted since the answer: doc id → status."""
    then: dict[str, str] = record["index"]["documents"]
    now = current_hashes(store, sorted(then))
    return {doc_id: DELETED if doc_id not in now else REPLACED
            for doc_id, digest in then.items() if now.get(doc_id) != digest}
