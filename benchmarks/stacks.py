"""Where the app server's time went, from py-spy's collapsed stacks (`benchmarks.load
--profile FILE`): active samples split between our pipeline and the serving around it.

    .venv/bin/python -m benchmarks.stacks FILE [--rate 50] [--top 15]

py-spy leaves out idle threads, so samples / rate is roughly busy CPU seconds per part.
"""

import argparse
import re
from collections import Counter
from pathlib import Path

# A sample belongs to the first part (in this order) one of its frames matches.
PARTS = [
    ("embedding (onnxruntime)", re.compile(r"rag/embed/minilm\.py|onnxruntime")),
    ("chroma", re.compile(r"chromadb/")),
    ("pipeline, rest (retrieve, BM25, answer, verify)", re.compile(r"\(rag/(?!ui/)")),
    ("ui (rag/app/ui: rendering, corpus tab)", re.compile(r"\(rag/app/ui/")),
    ("gradio queue, streaming, http", re.compile(r"gradio|fastapi|starlette|uvicorn|anyio|asyncio|h11|"
                                                   r"httptools|websockets|orjson|pydantic")),
]
_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def summarize(path: Path, rate: float, top: int) -> str:
    parts: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        part = next((name for name, pattern in PARTS if any(pattern.search(f) for f in frames)), "other")
        parts[part] += int(count)
        leaf = _FRAME.match(frames[-1])
        leaves[f"{leaf['name']} ({Path(leaf['file']).name})" if leaf else frames[-1]] += int(count)
    total = sum(parts.values()) or 1
    lines = [f"{total} active samples ({total / rate:.1f} busy CPU-seconds at {rate:g} Hz)", ""]
    lines += [f"{n / total:6.1%}  {n / rate:6.1f} s  {part}" for part, n in parts.most_common()]
    lines += ["", "busiest leaf functions:"]
    lines += [f"{n / total:6.1%}  {leaf}" for leaf, n in leaves.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    print(summarize(args.file, args.rate, args.top))


if __name__ == "__main__":
    main()
