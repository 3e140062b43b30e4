"""Reader training windows from SQuAD train data, tokenized once into arrays.

    python -m training.reader_data OUT.npz SQUAD_JSON [SQUAD_JSON ...] [--seed 0]
        [--extra-negative 0.3] [--other-paragraph 0.35] [--swapped 0.2] [--second-window 1.0]

Each question gives windows as the answerer will show them to the reader: a sentence with
its neighbours (rag/answer/reader/encode.py). An answerable question gives the window around its
answer's sentence (sometimes shifted by one, so the answer is not always in the middle)
and, for some, a window elsewhere in its paragraph, labelled "no answer": at answer time
most windows read do not hold the answer. An unanswerable question gives the window around
the sentence sharing most words with it, the one retrieval would have put first, and
(share `--second-window`) one more window of its own paragraph: the answerer reads several
windows of a passage, and every one of them should say no answer.

Two kinds of near-miss are also made from answerable ones (rates are options, so the
share of "no answer" windows can be set against how many real unanswerable questions the
sources hold), both labelled "no answer": the
question against the closest window of another paragraph of its article that lacks the
answer (same topic, other facts), and the question with one of its names or numbers swapped
for another of the article's, against its own answer window (SQuAD 2.0's commonest kind of
unanswerable question).
"""

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

import numpy as np

from rag.text.sentences import sentence_spans
from rag.embed.minilm import _tokenizer_file
from rag.answer.reader.encode import BUCKETS, MAX_PIECES, tokenizer

RATES = {  # defaults: the shipped model's mix (348 real unanswerable questions)
    "extra_negative": 0.3,  # share of answerable questions that also give a window without the answer
    "other_paragraph": 0.35,  # ... a window of another paragraph of the article
    "swapped": 0.2,  # ... the question with a name or number swapped, against its own window
    "second_window": 1.0,  # share of unanswerable questions that give a second window of their paragraph
}
_NAME = re.compile(r"\b(?:[A-Z][\w'-]+|\d[\d,.]*)\b")
_WORD = re.compile(r"\w+")
_STOP = set("the a an of in on at to for and or is was were are be by with as from that this "
            "what which who whom whose when where why how did does do".split())


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def _closest(question: str, context: str, spans: list[tuple[int, int]], skip: set[int]) -> int | None:
    asked = _words(question)
    scored = [(len(asked & _words(context[s:e])), i) for i, (s, e) in enumerate(spans) if i not in skip]
    return max(scored)[1] if scored else None


def _windows(rng: random.Random, qa: dict, context: str, spans: list[tuple[int, int]], rates: dict):
    """(window start, end, answer start, answer end or None) for one question."""
    question = qa["question"]
    if qa.get("is_impossible") or not qa["answers"]:
        at = _closest(question, context, spans, set())
        if at is not None:
            yield (*_around(rng, spans, at), None)
            if len(spans) > 1 and rng.random() < rates["second_window"]:
                # another window: around the next closest sentence not next to the first
                other = _closest(question, context, spans, {at - 1, at, at + 1})
                other = _closest(question, context, spans, {at}) if other is None else other
                yield (*_around(rng, spans, other), None)
        return
    answer = qa["answers"][0]
    a_start, a_end = answer["answer_start"], answer["answer_start"] + len(answer["text"])
    holding = next((i for i, (s, e) in enumerate(spans) if s <= a_start < e), None)
    if holding is None:
        return
    at = min(max(holding + rng.choice((0, 0, 0, -1, 1)), 0), len(spans) - 1)
    yield (*_around(rng, spans, at), (a_start, a_end))
    if rng.random() < rates["extra_negative"]:
        far = _closest(question, context, spans, {holding - 2, holding - 1, holding, holding + 1, holding + 2})
        if far is not None:
            yield (*_around(rng, spans, far), (a_start, a_end))


def _around(rng: random.Random, spans, at: int) -> tuple[int, int]:
    before, after = rng.choice(((1, 1), (1, 1), (0, 0), (0, 1), (1, 2)))
    first, last = max(at - before, 0), min(at + after, len(spans) - 1)
    return spans[first][0], spans[last][1]


def _near_misses(rng: random.Random, qa: dict, paragraph: int, article: list[tuple[str, list]], rates: dict):
    """(question, context, window start, end) pairs labelled "no answer"."""
    answer = qa["answers"][0]["text"]
    if rng.random() < rates["other_paragraph"] and len(article) > 1:
        scored = []
        for i, (context, spans) in enumerate(article):
            if i != paragraph and spans:
                at = _closest(qa["question"], context, spans, set())
                scored.append((len(_words(qa["question"]) & _words(context[slice(*spans[at])])), i, at))
        _, i, at = max(scored)
        context, spans = article[i]
        w_start, w_end = _around(rng, spans, at)
        if answer.lower() not in context[w_start:w_end].lower():
            yield qa["question"], context, w_start, w_end
    if rng.random() < rates["swapped"]:
        context, spans = article[paragraph]
        a_start = qa["answers"][0]["answer_start"]
        holding = next((i for i, (s, e) in enumerate(spans) if s <= a_start < e), None)
        if holding is None:
            return
        w_start, w_end = _around(rng, spans, holding)
        window = context[w_start:w_end]
        own = [n for n in _NAME.findall(qa["question"]) if n in window and n != qa["question"].split()[0]]
        others = sorted({n for text, _ in article for n in _NAME.findall(text)
                         if n not in window and n.isdigit() == bool(own and own[0].isdigit())})
        if own and others:
            swapped = qa["question"].replace(rng.choice(own), rng.choice(others), 1)
            yield swapped, context, w_start, w_end


def build(sources: list[Path], out: Path, seed: int, rates: dict | None = None) -> None:
    rates = RATES | (rates or {})
    rng = random.Random(seed)
    tok = tokenizer(_tokenizer_file())  # the base model's, shipped with the reader
    rows = {"ids": [], "types": [], "start": [], "end": []}
    counts = {"questions": 0, "answerable": 0, "unanswerable": 0, "windows": 0, "no_answer_windows": 0,
              "unanswerable_windows": 0, "near_misses": 0, "dropped": 0}
    per_source = {}

    def add(question: str, context: str, w_start: int, w_end: int, answer, kind: str) -> None:
        encoding = tok.encode(question, context[w_start:w_end])
        label = _label(encoding, w_start, w_end, answer)
        if label is None:
            counts["dropped"] += 1
            return
        rows["ids"].append(encoding.ids)
        rows["types"].append(encoding.type_ids)
        rows["start"].append(label[0])
        rows["end"].append(label[1])
        counts["windows"] += 1
        counts["no_answer_windows"] += label == (0, 0)
        counts["unanswerable_windows"] += kind.startswith("unanswerable")
        kind = "answerable:no_answer_window" if kind == "answerable" and label == (0, 0) else kind
        per_source[kind] = per_source.get(kind, 0) + 1

    digests = {}
    for source in sources:
        digests[str(source)] = hashlib.sha256(source.read_bytes()).hexdigest()
        for article in json.loads(source.read_text())["data"]:
            cut = [(p["context"], sentence_spans(p["context"])) for p in article["paragraphs"]]
            for number, paragraph in enumerate(article["paragraphs"]):
                context, spans = cut[number]
                for qa in paragraph["qas"]:
                    counts["questions"] += 1
                    impossible = bool(qa.get("is_impossible") or not qa["answers"])
                    counts["answerable" if not impossible else "unanswerable"] += 1
                    kind = f"unanswerable:{qa.get('source', source.name)}" if impossible else "answerable"
                    for w_start, w_end, answer in _windows(rng, qa, context, spans, rates):
                        add(qa["question"], context, w_start, w_end, answer, kind)
                    if impossible:
                        continue
                    for question, text, w_start, w_end in _near_misses(rng, qa, number, cut, rates):
                        counts["near_misses"] += 1
                        add(question, text, w_start, w_end, None, "near_miss")
    n = len(rows["ids"])
    ids, types = np.zeros((n, MAX_PIECES), np.int32), np.zeros((n, MAX_PIECES), np.int8)
    for i, (row_ids, row_types) in enumerate(zip(rows["ids"], rows["types"])):
        ids[i, :len(row_ids)], types[i, :len(row_types)] = row_ids, row_types
    order = np.random.default_rng(seed).permutation(n)
    np.savez_compressed(out, ids=ids[order], types=types[order],
                        start=np.array(rows["start"], np.int16)[order],
                        end=np.array(rows["end"], np.int16)[order])
    lengths = (ids != 0).sum(1)
    buckets = {str(b): int(((lengths > a) & (lengths <= b)).sum()) for a, b in zip((0,) + BUCKETS, BUCKETS)}
    print(json.dumps({"sources": digests, "seed": seed, "rates": rates, **counts,
                      "no_answer_share": round(counts["no_answer_windows"] / max(counts["windows"], 1), 3),
                      "windows_by_kind": per_source, "windows_by_bucket": buckets}))


def _label(encoding, w_start: int, w_end: int, answer) -> tuple[int, int] | None:
    """Token positions of the answer in the window; (0, 0), the [CLS] piece, when the window
    does not hold it; None when truncation cut the answer off."""
    if answer is None or not (w_start <= answer[0] and answer[1] <= w_end):
        return 0, 0
    a_start, a_end = answer[0] - w_start, answer[1] - w_start
    start = end = None
    for i, ((s, e), t, special) in enumerate(zip(encoding.offsets, encoding.type_ids,
                                                  encoding.special_tokens_mask)):
        if t != 1 or special:
            continue
        if start is None and e > a_start:
            start = i
        if s < a_end:
            end = i
    if start is None or end is None or end < start or encoding.offsets[end][1] < a_end - 1:
        return None
    return start, end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("sources", type=Path, nargs="+", help="SQuAD-format JSON files")
    parser.add_argument("--seed", type=int, default=0)
    for name, value in RATES.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, default=value)
    args = parser.parse_args()
    build(args.sources, args.out, args.seed, {name: getattr(args, name) for name in RATES})


if __name__ == "__main__":
    main()
