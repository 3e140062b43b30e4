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
server's peak RSS. `--chroma` serves from a real `chroma run` server instead
(RAG_CHROMA_URL), the collection copied into it first.
"""

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.bench import QUESTIONS, RESULTS, ROOT, percentiles

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


def session(url: str, questions: list[str], deadline: float) -> list[dict]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    turns = []
    for question in questions:
        if time.monotonic() > deadline:
            turns.append({"question": question, "error": "deadline"})
            continue
        started = time.perf_counter()
        try:
            job = client.submit(question, api_name="/chat")
            answer = job.result(timeout=max(1.0, deadline - time.monotonic()))[0]
        except Exception as error:  # noqa: BLE001  (a failed call is a result to report)
            turns.append({"question": question, "error": f"{type(error).__name__}: {error}"[:200]})
            continue
        turns.append({"question": question, "ms": (time.perf_counter() - started) * 1000,
                      "cited": bool(re.search(r"\[\d+\]", answer)),
                      "abstained": not re.search(r"\[\d+\]", answer)})
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
        (corpus / file.name).symlink_to(file.resolve())
    shutil.copytree(args.index, work / "index", ignore=shutil.ignore_patterns("chroma") if args.chroma else None)
    env = {**os.environ, "RAG_INDEX_DIR": str(work / "index"), "RAG_CORPUS_DIR": str(corpus),
           "RAG_PORT": str(free_port()), "RAG_HOST": "127.0.0.1"}
    chroma = None
    if args.chroma:
        chroma, url = start_chroma(work / "chroma-server")
        copy_collection(Path(args.index), url)
        env["RAG_CHROMA_URL"] = url
    server = subprocess.Popen([str(Path(sys.executable).parent / "rag"), "serve"], env=env, cwd=work,
                              stdout=open(work / "serve.log", "w"), stderr=subprocess.STDOUT)
    try:
        wait_for(int(env["RAG_PORT"]), 300, server)
        url = f"http://127.0.0.1:{env['RAG_PORT']}/"
        rng = random.Random(8)
        pool = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
        plans = [rng.sample(pool, args.turns) for _ in range(args.sessions)]
        article = json.loads(next(iter(sorted(Path(args.corpus).glob("*.jsonl")))).read_text().splitlines()[0])
        article["id"] = "load-upload"
        deadline = time.monotonic() + args.deadline
        started = time.perf_counter()
        with ThreadPoolExecutor(args.sessions + 1) as pool_:
            uploading = pool_.submit(upload_through_browser, url, article, args.upload_after)
            sessions = [pool_.submit(session, url, plan, deadline) for plan in plans]
            turns = [t for s in sessions for t in s.result()]
            upload = uploading.result()
        wall = time.perf_counter() - started
        answered = [t for t in turns if "ms" in t]
        return {
            "sessions": args.sessions, "turns": len(turns), "answered": len(answered),
            "cited": sum(t["cited"] for t in answered), "abstained": sum(t["abstained"] for t in answered),
            "errors": [t["error"] for t in turns if "error" in t][:5],
            "latency": percentiles([t["ms"] for t in answered]), "wall_s": round(wall, 1),
            "answers_per_s": round(len(answered) / wall, 2), **upload,
            "server_peak_rss_mb": peak_rss_mb(server.pid), "chroma_server": bool(args.chroma),
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
    parser.add_argument("--upload-after", type=float, default=5.0, help="seconds into the load")
    parser.add_argument("--deadline", type=float, default=600.0)
    parser.add_argument("--chroma", action="store_true", help="serve from a real `chroma run` server")
    parser.add_argument("--label", default="load")
    args = parser.parse_args()
    import rag  # noqa: F401  (offline environment) before anything else

    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
