"""rag: offline question answering over a news corpus, with verified citations.

Importing the package pins the process to offline behaviour before any third-party
library gets the chance to phone home or download something.
"""

import importlib.util
import os
from pathlib import Path


def _offline_environment() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    # tiktoken would download its BPE file; llama-index ships it but only points
    # tiktoken at it inside its own tokenizer helper.
    spec = importlib.util.find_spec("llama_index.core") if importlib.util.find_spec("llama_index") else None
    if spec and spec.submodule_search_locations:
        cache = Path(list(spec.submodule_search_locations)[0]) / "_static" / "tiktoken_cache"
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))


_offline_environment()
