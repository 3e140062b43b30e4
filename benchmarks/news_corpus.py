"""A news-sized corpus of long, article-like documents made of real sentences.

    .venv/bin/python -m benchmarks.news_corpus OUT_DIR [--chunks 20000] [--seed 8]

Sentences come from the squad2 paragraphs (/work/shared/bench/squad2/corpus.jsonl,
38 Wikipedia articles) and the seed articles in corpus/. Each generated article keeps
to one topic (one source article), and is made of runs of 2-5 consecutive sentences
from that topic's paragraphs, in paragraphs of 3-7 sentences, about 900-3,000 tokens
long: the length and shape of a news feature. Articles are written 100 to a JSONL file
until the corpus chunks (with rag's own chunker) to about `--chunks` chunks.
Questions: the squad2 dev cases and the seed eval cases, whose sentences all occur in it.
Nothing here is committed: OUT_DIR belongs under index/ (git-ignored).
"""

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

from llama_index.core.schema import Document

from rag.ingest.chunk import chunk_document, count_tokens, sentence_spans
from rag.settings import Settings

SQUAD = Path("/work/shared/bench/squad2")
_PER_FILE = 100


def topics(seed_corpus: Path = Path("corpus")) -> dict[str, list[list[str]]]:
    """Topic → its paragraphs, each a list of sentences."""
    found: dict[str, list[list[str]]] = defaultdict(list)
    for line in (SQUAD / "corpus.jsonl").read_text().splitlines():
        record = json.loads(line)
        found[record["title"]].append(_sentences(record["text"]))
    for file in sorted(seed_corpus.glob("*.txt")):
        paragraphs = [p for p in file.read_text().split("\n") if p.strip()]
        found[paragraphs[0][:60]] += [_sentences(p) for p in paragraphs]
    return {t: [p for p in ps if p] for t, ps in found.items()}


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text) if len(text[s:e].split()) >= 3]


def article(rng: random.Random, paragraphs: list[list[str]]) -> list[str]:
    """Paragraphs of an article about one topic, as runs of consecutive real sentences."""
    target, size, body = rng.randint(900, 3000), 0, []
    while size < target:
        paragraph: list[str] = []
        for _ in range(rng.randint(1, 2)):
            source = rng.choice(paragraphs)
            start = rng.randrange(len(source))
            paragraph += source[start : start + rng.randint(2, 5)]
        body.append(" ".join(paragraph))
        size += count_tokens(body[-1])
    return body


def generate(out: Path, chunks: int, seed: int) -> dict:
    rng = random.Random(seed)
    pool = topics()
    names = sorted(pool)
    weights = [len(pool[n]) for n in names]
    settings = Settings()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("news-*.jsonl"):
        old.unlink()
    total_chunks, n, batch = 0, 0, []
    while total_chunks < chunks:
        topic = rng.choices(names, weights)[0]
        body = article(rng, pool[topic])
        first = body[0].split()
        record = {"id": f"news-{n:05d}", "title": f"{topic}: {' '.join(first[:9])}",
                  "date": f"20{rng.randint(18, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                  "text": "\n\n".join(body)}
        doc = Document(id_=record["id"], text=record["text"],
                       metadata={"title": record["title"], "content_hash": "x" * 12})
        total_chunks += len(chunk_document(doc, settings.ingest.chunk_tokens, settings.ingest.chunk_overlap_tokens))
        batch.append(record)
        n += 1
        if len(batch) == _PER_FILE:
            _write(out, n, batch)
            batch = []
    if batch:
        _write(out, n, batch)
    _write_questions(out)
    return {"articles": n, "chunks": total_chunks, "files": len(list(out.glob("news-*.jsonl")))}


def _write(out: Path, n: int, batch: list[dict]) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in batch]
    (out / f"news-{(n - 1) // _PER_FILE:03d}.jsonl").write_text("\n".join(lines) + "\n")


def _write_questions(out: Path) -> None:
    cases = [json.loads(line) for line in (SQUAD / "dev.jsonl").read_text().splitlines()]
    cases += [json.loads(line) for line in Path("evals/seed.jsonl").read_text().splitlines() if line.strip()]
    # Sources name squad2 paragraphs and seed files, not generated articles: drop them.
    questions = [{k: v for k, v in c.items() if k != "sources"} for c in cases]
    (out.parent / f"{out.name}-questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.chunks, args.seed)))


if __name__ == "__main__":
    main()
