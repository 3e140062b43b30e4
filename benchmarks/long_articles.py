"""A news-like test set of long articles, made from squad2: consecutive paragraphs of one
Wikipedia article joined into documents of about 1,000 words (news length, 5-8 chunks),
so that several chunks of one long document compete for the top 5 as they do on a news
corpus. Cases keep their questions; `sources` becomes the document holding the gold
paragraph.

    .venv/bin/python benchmarks/long_articles.py ../shared/bench/squad2 /tmp/long [ARTICLES]

writes /tmp/long/corpus.jsonl and /tmp/long/dev.jsonl, using the first ARTICLES articles
(default 12; all 38 take long to ingest on 2 cores).
"""

import json
import sys
from pathlib import Path

WORDS = 1000


def main() -> None:
    bench, out = Path(sys.argv[1]), Path(sys.argv[2])
    articles = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    out.mkdir(parents=True, exist_ok=True)
    paragraphs = [json.loads(line) for line in (bench / "corpus.jsonl").open()]
    kept = list(dict.fromkeys(p["id"].split("#")[0] for p in paragraphs))[:articles]
    documents, doc_of = [], {}
    for article in kept:
        part, words = [], 0
        for p in (p for p in paragraphs if p["id"].split("#")[0] == article):
            part.append(p)
            words += len(p["text"].split())
            if words >= WORDS:
                documents.append(part)
                part, words = [], 0
        if part:
            documents.append(part)
    with (out / "corpus.jsonl").open("w") as corpus:
        for n, part in enumerate(documents):
            doc_id = f"{part[0]['id'].split('#')[0]}#d{n}"
            doc_of.update({p["id"]: doc_id for p in part})
            corpus.write(json.dumps({"id": doc_id, "title": part[0]["title"],
                                     "text": "\n\n".join(p["text"] for p in part)}) + "\n")
    with (out / "dev.jsonl").open("w") as cases:
        for case in map(json.loads, (bench / "dev.jsonl").open()):
            if case.get("abstain"):
                # Near-misses about a kept article stay near-misses; others are off-topic.
                cases.write(json.dumps(case) + "\n")
            elif all(s in doc_of for s in case["sources"]):
                case["sources"] = sorted({doc_of[s] for s in case["sources"]})
                cases.write(json.dumps(case) + "\n")
    print(f"{len(documents)} documents from {len(kept)} articles -> {out}")


if __name__ == "__main__":
    main()
