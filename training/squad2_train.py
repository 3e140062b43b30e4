"""SQuAD 2.0 train unanswerable questions (shared/data/squad2-train-unanswerable) as
SQuAD-format JSON for training/reader_data.py.

    python -m training.squad2_train DIR OUT.json

Reads `unansq.jsonl.gz` (the real questions, lowercased and tokenized: detokenized here,
"was n't" -> "wasn't", "12 , 000" -> "12,000", " ?" -> "?") and `backtranslated.jsonl.gz`
(machine paraphrases with inferred labels). A paraphrase that repeats a real question is
dropped: for each real question, the paraphrase of the same paragraph sharing most words
with it (Jaccard at least MIN_OVERLAP). Every question is `is_impossible: true`,
`answers: []`, against its paragraph's `context`; `source` says which file it came from.
"""

import argparse
import gzip
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

MIN_OVERLAP = 0.2  # Jaccard of words below which a paraphrase is not taken for a real question's
_WORD = re.compile(r"\w+")
_RULES = [
    (re.compile(r"\b(ca|wo) n't\b"), lambda m: {"ca": "can't", "wo": "won't"}[m.group(1)]),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b"), r"\1"),
    (re.compile(r"(\d) , (?=\d{3}\b)"), r"\1,"),
    (re.compile(r"(\d) \. (?=\d)"), r"\1."),
    (re.compile(r"(\w) - (?=\w)"), r"\1-"),
    (re.compile(r"(\w) / (?=\w)"), r"\1/"),
    (re.compile(r"([$£#]) (?=\d)"), r"\1"),
    (re.compile(r" ([?.,!;:%)\]’”])"), r"\1"),
    (re.compile(r"([(\[“]) "), r"\1"),
]


def detokenize(text: str) -> str:
    # straight double quotes are separate pieces, opening and closing in turn
    tokens, out, opening = text.split(), [], True
    for token in tokens:
        if token == '"':
            if opening:
                out.append('"')
            elif out:
                out[-1] += '"'
            opening = not opening
        elif out and out[-1] == '"' and not opening:
            out[-1] += token
        else:
            out.append(token)
    text = " ".join(out)
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text.strip()


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def convert(folder: Path) -> tuple[dict, dict]:
    real, para = _read(folder / "unansq.jsonl.gz"), _read(folder / "backtranslated.jsonl.gz")
    by_paragraph = defaultdict(list)
    for i, p in enumerate(para):
        by_paragraph[(p["title"], p["paragraph"])].append(i)
    dropped = set()
    for q in real:
        asked = _words(detokenize(q["question"]))
        best, at = 0.0, None
        for i in by_paragraph.get((q["title"], q["paragraph"]), []):
            words = _words(para[i]["question"])
            overlap = len(asked & words) / max(len(asked | words), 1)
            if overlap > best:
                best, at = overlap, i
        if at is not None and best >= MIN_OVERLAP:
            dropped.add(at)
    articles: dict[str, dict[int, dict]] = defaultdict(dict)

    def add(item: dict, question: str, source: str, qid: str) -> None:
        paragraph = articles[item["title"]].setdefault(item["paragraph"], {"context": item["context"], "qas": []})
        if paragraph["context"] != item["context"]:
            raise SystemExit(f"two contexts for {item['title']} paragraph {item['paragraph']}")
        paragraph["qas"].append({"id": qid, "question": question, "is_impossible": True, "answers": [],
                                 "source": source})

    for q in real:
        add(q, detokenize(q["question"]), "unansq", q["id"])
    kept = 0
    for i, p in enumerate(para):
        if i not in dropped:
            add(p, p["question"], "backtranslated", f"bt-{p['title']}-{p['paragraph']}-{p['question_index']}")
            kept += 1
    data = {"version": "squad2-train-unanswerable", "data": [
        {"title": title, "paragraphs": [paragraphs[k] for k in sorted(paragraphs)]}
        for title, paragraphs in sorted(articles.items())]}
    counts = {"real": len(real), "paraphrases": len(para), "paraphrases_dropped_as_repeats": len(dropped),
              "paraphrases_kept": kept, "articles": len(articles),
              "paragraphs": sum(len(p) for p in articles.values()),
              "sha256": {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
                         for name in ("unansq.jsonl.gz", "backtranslated.jsonl.gz")}}
    return data, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    data, counts = convert(args.folder)
    args.out.write_text(json.dumps(data))
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
