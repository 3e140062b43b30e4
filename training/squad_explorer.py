"""SQuAD 1.0 train, as the SQuAD explorer's article pages show it, back in SQuAD's JSON form.

    python -m training.squad_explorer PAGES_DIR OUT.json

The whole train file is too large to reach here; the explorer's per-article pages
(rajpurkar/SQuAD-explorer at commit 13f82e3, `explore/1.0/train/*.html`, 443 articles)
hold the same paragraphs, questions and answers (CC BY-SA 4.0). A page gives each answer's
text, not its offset: the offset is its first occurrence in the paragraph, and a question
whose answer is not found verbatim is left out.
"""

import argparse
import hashlib
import html
import json
import re
from pathlib import Path

_PARAGRAPH = re.compile(r'<div class="para-wrap">(.*?)(?=<div class="para-wrap">|$)', re.S)
_CONTEXT = re.compile(r"<pre>(.*?)</pre>", re.S)
_QA = re.compile(r'<strong class="question">(.*?)</strong>(.*?)(?=<strong class="question">|$)', re.S)
_ANSWER = re.compile(r'<span class="answer">(.*?)</span>', re.S)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment)).strip()


def article(page: str, title: str) -> dict:
    paragraphs = []
    for block in _PARAGRAPH.findall(page):
        found = _CONTEXT.search(block)
        if not found:
            continue
        context = html.unescape(found.group(1))
        qas = []
        for number, (question, rest) in enumerate(_QA.findall(block)):
            answers = [_text(a) for a in _ANSWER.findall(rest)]
            located = [(a, context.find(a)) for a in answers if a and context.find(a) >= 0]
            if located:
                qas.append({"id": f"{title}:{len(paragraphs)}:{number}", "question": _text(question),
                            "answers": [{"text": a, "answer_start": at} for a, at in located],
                            "is_impossible": False})
        paragraphs.append({"context": context, "qas": qas})
    return {"title": title, "paragraphs": paragraphs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    digest, data = hashlib.sha256(), []
    for path in sorted(args.pages.glob("*.html")):
        page = path.read_bytes()
        digest.update(page)
        data.append(article(page.decode("utf-8"), path.stem))
    args.out.write_text(json.dumps({"version": "explorer-1.0-train", "data": data}))
    questions = sum(len(p["qas"]) for a in data for p in a["paragraphs"])
    print(json.dumps({"articles": len(data), "questions": questions, "pages_sha256": digest.hexdigest()}))


if __name__ == "__main__":
    main()
