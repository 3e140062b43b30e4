"""Load: concurrent chat sessions against the running app on 127.0.0.1, with an upload.

    flock /tmp/rag-heavy.lock .venv/bin/python -m benchmarks.load --index index/bench/ours-latest \\
        --corpus index/bench/news [--sessions 20] [--turns 3] [--chroma]

Starts `rag serve` on a free port over a copy of the index (so the upload does not
change the benchmark's index; the corpus folder is linked file by file), then runs
`--sessions` gradio_client sessions at once, each asking `--turns` questions in turn
(follow-ups share the session's history). While they run, a browser (Debian chromium
through playwright) uploads one new article in the Corpus tab. Bounded: every call has a
deadline and the whole run stops after `--deadline` seconds. Reports answered / cited /
abstained counts, latency p50/p95 as the clients saw it, the upload's time, and the
server's peak RSS. With `--questions` eval cases (e.g. squad2 dev.jsonl over its own
corpus), every answer is also checked (benchmarks/citations.py): each [n] resolves to
a passage of the served index, and the answer holds a gold fact or abstains as it should.
`--chroma` serves from a real `chroma run` server instead (RAG_CHROMA_URL), the collection copied into it first.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.bench import QUESTIONS, RESULTS, percentiles
from benchmarks.citations import IndexPassages, check

CHROMIUM = Path("/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"nothing listening on {port} after {seconds}s")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def session(url: str, cases: list[dict], deadline: float) -> list[dict]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    turns = []
    for case in cases:
        question = case["question"]
        if time.monotonic() > deadline:
            turns.append({"question": question, "error": "deadline"})
            continue
        started = time.perf_counter()
        try:
            job = client.submit(question, api_name="/chat")
            # The final streamed output: the answer alone (the session's history is a State).
            answer = job.result(timeout=max(1.0, deadline - time.monotonic()))
        except Exception as error:  # noqa: BLE001  (a failed call is a result to report)
            turns.append({"question": question, "error": f"{type(error).__name__}: {error}"[:200]})
            continue
        turns.append({"question": question, "ms": (time.perf_counter() - started) * 1000,
                      "cited": bool(re.search(r"\[\d+\]", answer)),
                      "abstained": not re.search(r"\[\d+\]", answer), "answer": answer, "case": case})
    return turns


def upload_through_browser(url: str, article: dict, after: float) -> dict:
    from playwright.sync_api import expect, sync_playwright

    time.sleep(after)
    folder = Path(tempfile.mkdtemp())
    file = folder / "load-upload.jsonl"
    file.write_text(json.dumps(article) + "\n")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("tab", name="Corpus").click()
        started = time.perf_counter()
        page.set_input_files("#upload input[type=file]", str(file))
        expect(page.locator("#corpus-status")).to_contain_text("load-upload", timeout=600_000)
        seconds = time.perf_counter() - started
        status = page.locator("#corpus-status").inner_text()
        browser.close()
    shutil.rmtree(folder, ignore_errors=True)
    return {"upload_s": round(seconds, 2), "status": " ".join(status.split())[:200]}


def start_chroma(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen([str(chroma), "run", "--path", str(folder), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, 60, server)
    return server, f"http://127.0.0.1:{port}"


def profile(pid: int, path: Path) -> subprocess.Popen:
    """py-spy (`pip install py-spy`, not a project dependency) sampling the app server as
    collapsed stacks (benchmarks/stacks.py sums them), without pausing it."""
    spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen([str(spy), "record", "--pid", str(pid), "--output", str(path), "--format", "raw",
                             "--rate", "50", "--nonblocking", "--threads"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def served_collection(index: Path, url: str | None):
    """The collection the app served: the Chroma server's, or the local index's."""
    import chromadb

    if url:
        return chromadb.HttpClient(host="127.0.0.1", port=int(url.rsplit(":", 1)[1])).get_collection("rag")
    return chromadb.PersistentClient(path=str(index / "chroma")).get_collection("rag")


def checked(turns: list[dict], collection) -> dict:
    """How many answers cite, resolve every citation, are right, cite the gold source."""
    passages = IndexPassages(collection)
    verdicts = [check(t["answer"], t["case"], passages) for t in turns if "answer" in t]
    judged = [v.correct for v in verdicts if v.correct is not None]
    cited = [v for v in verdicts if v.cited]
    return {"citations_resolved": f"{sum(v.resolved for v in cited)}/{len(cited)}",
            "correct": f"{sum(judged)}/{len(judged)}",
            "gold_source_cited": f"{sum(v.gold_cited for v in cited)}/{len(cited)}"}


def copy_collection(index: Path, url: str) -> None:
    """The local index's collection, copied with its vectors into the Chroma server."""
    import chromadb

    local = chromadb.PersistentClient(path=str(index / "chroma")).get_collection("rag")
    remote_client = chromadb.HttpClient(host="127.0.0.1", port=int(url.rsplit(":", 1)[1]))
    remote = remote_client.get_or_create_collection("rag", metadata=local.metadata or {"hnsw:space": "cosine"},
                                                   embedding_function=None)
    offset = 0
    while True:
        got = local.get(include=["embeddings", "documents", "metadatas"], limit=2000, offset=offset)
        if not got["ids"]:
            return
        remote.add(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"],
                   metadatas=got["metadatas"])
        offset += len(got["ids"])


def run(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="rag-load-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for file in Path(args.corpus).iterdir():
        os.link(file.resolve(), corpus / file.name)  # ingest skips symlinks leading outside
    shutil.copytree(args.index, work / "index", ignore=shutil.ignore_patterns("chroma") if args.chroma else None)
    env = {**os.environ, "RAG_INDEX_DIR": str(work / "index"), "RAG_CORPUS_DIR": str(corpus),
           "RAG_UI__PORT": str(free_port()), "RAG_UI__HOST": "127.0.0.1"}
    chroma, url = None, None
    if args.chroma:
        chroma, url = start_chroma(work / "chroma-server")
        copy_collection(Path(args.index), url)
        env["RAG_CHROMA_URL"] = url
    server = subprocess.Popen([str(Path(sys.executable).parent / "rag"), "serve"], env=env, cwd=work,
                              stdout=open(work / "serve.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_for(int(env["RAG_UI__PORT"]), 300, server)
        profiler = profile(server.pid, args.profile) if args.profile else None
        app = f"http://127.0.0.1:{env['RAG_UI__PORT']}/"
        rng = random.Random(8)
        pool = [json.loads(line) for line in args.questions.read_text().splitlines()]
        plans = [rng.sample(pool, args.turns) for _ in range(args.sessions)]
        article = json.loads(next(iter(sorted(Path(args.corpus).glob("*.jsonl")))).read_text().splitlines()[0])
        article["id"] = "load-upload"
        deadline = time.monotonic() + args.deadline
        started = time.perf_counter()
        with ThreadPoolExecutor(args.sessions + 1) as pool_:
            uploading = pool_.submit(upload_through_browser, app, article, args.upload_after)
            sessions = [pool_.submit(session, app, plan, deadline) for plan in plans]
            turns = [t for s in sessions for t in s.result()]
            upload = uploading.result()
        wall = time.perf_counter() - started
        if profiler:
            profiler.send_signal(signal.SIGINT)  # py-spy writes its samples as it stops
            profiler.wait(60)
        answered = [t for t in turns if "ms" in t]
        rss = peak_rss_mb(server.pid)
        server.terminate()  # its index is read below
        server.wait(30)
        return {
            "sessions": args.sessions, "turns": len(turns), "answered": len(answered),
            "cited": sum(t["cited"] for t in answered), "abstained": sum(t["abstained"] for t in answered),
            "errors": [t["error"] for t in turns if "error" in t][:5],
            "latency": percentiles([t["ms"] for t in answered]), "wall_s": round(wall, 1),
            "answers_per_s": round(len(answered) / wall, 2), **upload,
            "server_peak_rss_mb": rss, "chroma_server": bool(args.chroma),
            **checked(answered, served_collection(work / "index", url)),
        }
    finally:
        server.terminate()
        server.wait(30)
        if chroma:
            chroma.terminate()
            chroma.wait(30)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="JSONL eval cases to ask")
    parser.add_argument("--upload-after", type=float, default=5.0, help="seconds into the load")
    parser.add_argument("--deadline", type=float, default=600.0)
    parser.add_argument("--chroma", action="store_true", help="serve from a real `chroma run` server")
    parser.add_argument("--profile", type=Path, help="py-spy the app server into this file (collapsed stacks)")
    parser.add_argument("--label", default="load")
    args = parser.parse_args()
    import rag  # noqa: F401  (offline environment) before anything else

    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
