"""The one typed settings object, in groups (ingest, retrieval, answer, verify, time, llm, ui).

Every field can be set from the environment as RAG_<GROUP>__<FIELD> (for instance
`RAG_ANSWER__READER__ENABLED=false`, `RAG_LLM__OPENAI__URL=...`), from `.env`, or from a
named preset. Tuned values (weights, thresholds, bonuses) have no default in code: they
live in `rag/presets/default.json`, which `benchmarks/tune.py --write-preset NAME` and
`benchmarks/reader_eval.py tune` measure; `RAG_PRESET=NAME` lays `rag/presets/NAME.json`
over it. `rag settings` lists every field with its value and description.
"""

import difflib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PRESETS = Path(__file__).parent / "presets"
DEFAULT_PRESET = "default"
PREFIX = "RAG_"


class SettingsError(ValueError):
    """A setting that cannot be used, in one line naming its variable, its value and what is
    allowed (pydantic's own message spans several lines and names no variable)."""


class Group(BaseModel):
    # A misspelt knob in a preset or in `changed()` is an error, not a silent no-op.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _cores() -> int:
    return os.cpu_count() or 2


class Ingest(Group):
    # MiniLM truncates at 256 word pieces; 200 cl100k tokens plus the title stays under
    # that for English news text.
    chunk_tokens: int = Field(200, ge=16, le=8192, description="chunk size in cl100k tokens")
    chunk_overlap_tokens: int = Field(40, ge=0, description="tokens repeated between neighbouring chunks")
    embedder: Literal["minilm", "e5"] = Field(
        "minilm", description="what embeds the chunks (rag/embed/embedders.py); e5 is multilingual")
    embed_batch_size: int = Field(32, ge=1, le=4096, description="texts embedded per embedder call")
    embed_threads: int = Field(default_factory=_cores, ge=1, le=1024, description="threads the embedder runs on")
    warn_document_mb: float = Field(5.0, gt=0, description="a document with more text is reported as slow "
                                    "to embed (it is still indexed)")

    @model_validator(mode="after")
    def _overlap_within_chunk(self) -> "Ingest":
        # The chunker steps by chunk - overlap tokens: zero or less never moves on.
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError(f"RAG_INGEST__CHUNK_OVERLAP_TOKENS={self.chunk_overlap_tokens} must be less than "
                             f"RAG_INGEST__CHUNK_TOKENS={self.chunk_tokens}")
        return self


class Retrieval(Group):
    top_k: int = Field(5, ge=1, le=1000, description="passages an answer is chosen from")
    candidates: int = Field(ge=1, le=10000, description="chunks each ranking (cosine, BM25) hands to fusion")
    dense_weight: float = Field(ge=0, le=1, description="the cosine's share of the fused score, the rest BM25 "
                                "(benchmarks/tune.py)")
    sentence_share: float = Field(ge=0, le=1, description="share of a chunk's best stored sentence cosine in its dense "
                                  "score, the rest the chunk's own cosine; 0: the chunk's alone")
    chunks_per_document: int = Field(ge=0, description="at most this many of the top_k chunks from one "
                                     "document; 0: no cap (evals/README.md)")
    time_bonus: float = Field(ge=0, le=1, description="added to passages published in the window a question "
                              "names ('this week', 'recently'), counted back from its as-of date; 0: off")
    recency_bonus: float = Field(ge=0, le=1, description="for 'latest' questions, added to the newest candidate and "
                                 "scaled down to 0 for the oldest: orders near-equal matches only")


class Time(Group):
    """Timelines and change answers (rag/answer/timeline.py, rag/answer/over_time.py); set by hand on
    the seed and synthetic change corpora (evals/README.md), MiniLM cosines."""

    timeline_passages: int = Field(ge=1, le=10000, description="passages searched for a timeline's topic")
    timeline_relevant: float = Field(ge=0, le=1, description="of those, the ones scoring at least this share of "
                                     "the best one's fused score (other topics score under a third)")
    same_event: float = Field(ge=0, le=1, description="two articles tell one event when the words around their "
                              "compatible dates are this close (same events 0.56-0.85, others 0.21)")
    same_statement: float = Field(ge=0, le=1, description="sentences this close say the same thing (source counts)")
    same_kind: float = Field(ge=0, le=1, description="a sentence this close to the lead with other numbers is a "
                             "disagreement between dated sources")
    same_article: float = Field(ge=0, le=1, description="passages sharing this share of their word 5-grams are "
                                "one article republished (counted once)")
    change_margin: float = Field(ge=0, le=1, description="a change answer quotes the best sentence of each article "
                                 "scoring within this of the best")
    change_statements: int = Field(ge=1, le=100, description="dated statements a change answer quotes at most")


class Weights(Group):
    """How a sentence is scored and chosen, and when to abstain (benchmarks/tune.py)."""

    cosine: float = Field(ge=0, le=1, description="share of the sentence's cosine to the question")
    overlap: float = Field(ge=0, le=1, description="share of the question's weighted terms it holds")
    rank: float = Field(ge=0, description="bonus 1/(rank+1) for sentences of higher-ranked passages")
    typed: float = Field(ge=0, description="bonus for holding the date/number/name a question asks for")
    whole: float = Field(ge=0, description="the best sentence's passage is cited alone when the sentence "
                         "holds this share of the question's weight")
    margin: float = Field(ge=0, description="further sentences must score within this of the best one")
    two_part_margin: float = Field(ge=0, description="the margin for a question that asks two things")
    coverage: float = Field(ge=0, description="bonus for question terms a further sentence adds")
    missing: int = Field(ge=0, description="abstain when the best sentence's passage lacks more than this of "
                         "what the question specifies (names 1 each, numbers and years 2, a negation 2)")


class Reader(Group):
    """The trained reader (models/reader/, rag/answer/reader/): reads the best sentences' windows."""

    enabled: bool = Field(True, description="answer with the trained reader's span; off, the "
                          "sentence rules answer alone")
    dir: Path | None = Field(None, description="another reader model folder")
    windows: int = Field(ge=1, le=100, description="sentence windows read per question, at most")
    first: int = Field(ge=1, le=100, description="windows of the best sentences read first, in one ONNX call; "
                       "the rest only when none of their spans is decisive")
    decisive: float = Field(description="a span that beats its window's no-answer "
                            "reading by this (logits) ends the reading")
    spans: int = Field(ge=1, le=10, description="spans a window gives (surest first, none overlapping): a "
                       "typed question takes the surest of its type")
    threshold: float = Field(description="a span must beat its window's no-answer reading by this "
                             "(logits) to answer, else the answer is the abstention "
                             "(`benchmarks/reader_eval.py tune`)")
    lead: float = Field(description="'span': a span the reader is less sure of than this (logits) "
                        "leads nothing: the answer is the rules' quote")
    unsure: Literal["rules", "sentence", "both"] = Field(
        description="'span': below `lead`, unled, the rules' quote, the span's sentence, or both")
    prior: float = Field(description="of the spans beating the threshold, the answer is the one whose "
                         "margin plus this times its sentence's score (answer.weights) is highest")
    typed: bool = Field(description="a how-many/how-much question's span must hold a number, a when "
                        "question's a date or time, a who/where question's a name or place")
    quote: Literal["rules", "span"] = Field(
        description="'span': the span in bold, then the sentence that holds it; 'rules': the sentence "
        "rules' quote, led by the span when it lies inside")
    neighbours: Literal["why-how", "untyped", "never"] = Field(
        description="'span': which questions also quote the sentences around the span's")
    two_part: Literal["rules", "span"] = Field(
        description="'span': how a question asking two things is answered ('rules': the rules' quote)")
    rerank: float = Field(ge=0, description="'rules': answer from the reader's best span instead when it "
                          "beats every span inside the rules' quote by this (logits)")
    near_miss: bool = Field(description="keep the near-miss rule (a name or number the question "
                            "specifies that the passage lacks) in front of the reader")
    floor: bool = Field(description="keep the sentence rules' abstention (best sentence below "
                        "answer.abstain_threshold) in front of the reader")


class CrossLingual(Group):
    """A question in another language, answered from English passages by the multilingual
    embedder alone; calibrated on evals/multilingual.jsonl, the cases it is measured on."""

    threshold: float = Field(description="abstain below this sentence score")
    dense_weight: float = Field(ge=0, le=1, description="fusion weight for such questions (BM25 on its words "
                                "matches little but names)")
    weights: Weights = Field(description="sentence weights for such questions")


class Answer(Group):
    backend: str = Field("extractive", description="a registered backend (rag/answer/backends.py checks the name): "
                         "'local' runs a GGUF in process; 'openai' calls llm.openai.url")
    sentences: int = Field(ge=1, le=20, description="sentences an extractive answer may quote")
    abstain_threshold: float = Field(description="abstain when the best sentence scores below this "
                                     "(benchmarks/tune.py: the best mean pass rate of seed and squad2)")
    weights: Weights
    reader: Reader
    crosslingual: CrossLingual


class Verify(Group):
    """When a passage supports a generated sentence (`python -m benchmarks.llm_eval tune`)."""

    overlap: float = Field(ge=0, le=1, description="share of the sentence's content terms found in the passage")
    cosine: float = Field(ge=-1, le=1, description="best cosine between the sentence and one passage sentence")
    short_terms: int = Field(ge=0, description="a sentence with fewer content terms must match all of them")
    unsupported: Literal["drop", "flag"] = Field(
        "drop", description="what to do with a generated sentence no source supports")


class LocalLLM(Group):
    gguf: Path | None = Field(None, description="a GGUF file instead of the default model")
    model_cache: Path = Field(Path.home() / ".cache" / "rag" / "models",
                              description="where the default model's parts are joined")
    threads: int = Field(default_factory=_cores, ge=1, le=1024, description="threads the model runs on")


class OpenAILLM(Group):
    url: str | None = Field(None, description="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
    model: str = Field("local", description="the model name the server is asked for")
    api_key: str | None = Field(None, description="sent as a bearer token when set")
    timeout: float = Field(60.0, gt=0, description="seconds without a byte from the server")


class LLM(Group):
    passages: int = Field(4, ge=1, le=100,
                          description="passages given to the model, trimmed around their best sentences")
    max_tokens: int = Field(128, ge=1, description="tokens a generated answer may have")
    context: int = Field(2048, ge=256, description="the model's context window, in tokens")
    deadline: float = Field(120.0, gt=0, description="seconds for a whole generated answer, however the server "
                            "streams; then the quoted answer stands, with a notice")
    local: LocalLLM = Field(default_factory=LocalLLM)
    openai: OpenAILLM = Field(default_factory=OpenAILLM)


class UI(Group):
    host: str = Field("127.0.0.1", description="the chat's address")
    port: int = Field(7860, ge=1, le=65535, description="the chat's port")
    auth: str | None = Field(None, description="user:password turns on Gradio auth")
    max_upload_mb: float = Field(5.0, gt=0, le=1024, description="the largest file the Corpus tab takes")
    chat_concurrency: int = Field(
        4, ge=1, le=256, description="questions the chat answers at once, queued apart from uploads and deletions: "
        "two users waiting on a slow LLM server leave room for others (benchmarks/README.md)")
    max_text_chars: int = Field(
        4000, ge=1, le=1_000_000, description="the most characters a question, a timeline topic or a "
        "feedback text (expected answer, comment) may have; longer is refused before any work")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", env_nested_delimiter="__", env_file=".env",
                                      extra="ignore", frozen=True, allow_inf_nan=False)

    preset: str = Field(DEFAULT_PRESET, description="rag/presets/NAME.json laid over default.json")
    corpus_dir: Path = Field(Path("corpus"), description="the folder `rag ingest` and uploads use")
    index_dir: Path = Field(Path("index"), description="where the index lives")
    chroma_url: str | None = Field(None, description="http://host:port of a `chroma run` server instead "
                                   "of index_dir")
    collection: str = Field("rag", description="the Chroma collection")
    ingest: Ingest = Field(default_factory=Ingest)
    retrieval: Retrieval
    answer: Answer
    verify: Verify
    time: Time
    llm: LLM = Field(default_factory=LLM)
    ui: UI = Field(default_factory=UI)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        named = getattr(init_settings, "init_kwargs", {}).get("preset") or os.environ.get("RAG_PRESET")
        return (init_settings, env_settings, dotenv_settings,
                _PresetSource(settings_cls, named or DEFAULT_PRESET), file_secret_settings)

    def __init__(self, **values: Any) -> None:
        """Fields by name, or nested ones by their environment name without its prefix:
        `Settings(index_dir=path, answer__reader__enabled=False)`."""
        try:
            super().__init__(**_nested(values))
        except ValidationError as error:
            raise SettingsError(one_line(error)) from None

    def changed(self, **updates: Any) -> "Settings":
        """A copy with fields changed, named as `Settings(...)` takes them."""
        try:
            return type(self).model_validate(_merged(self.model_dump(), _nested(updates)))
        except ValidationError as error:
            raise SettingsError(one_line(error)) from None


def variable(loc: tuple) -> str:
    """The environment name of a setting: ("retrieval", "top_k") -> RAG_RETRIEVAL__TOP_K."""
    return PREFIX + "__".join(str(part) for part in loc).upper()


def _field(loc: tuple) -> FieldInfo | None:
    model: Any = Settings
    info = None
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = info.annotation
    return info


def _number(bound: object) -> str:
    return str(bound) if isinstance(bound, int) else f"{bound:g}"  # 1000000, not 1e+06


def allowed(info: FieldInfo) -> str | None:
    """A field's range in words ("1 to 65535", "at least 0", "more than 0"), None if it has none."""
    low = next((f"at least {_number(m.ge)}" for m in info.metadata if isinstance(m, annotated_types.Ge)),
               next((f"more than {_number(m.gt)}" for m in info.metadata if isinstance(m, annotated_types.Gt)),
                    None))
    high = next((f"at most {_number(m.le)}" for m in info.metadata if isinstance(m, annotated_types.Le)), None)
    if low and high and low.startswith("at least"):
        return f"{low.removeprefix('at least ')} to {high.removeprefix('at most ')}"
    return ", ".join(part for part in (low, high) if part) or None


def one_line(error: ValidationError) -> str:
    """Each wrong setting as `RAG_X__Y='value': what is allowed`, joined in one line."""
    said = []
    for problem in error.errors():
        loc = tuple(problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "value_error":  # a rule across fields: its message names them
            said.append(message)
            continue
        if problem["type"] == "extra_forbidden":  # a misspelt name in a preset or `changed()`
            group = f" {'.'.join(map(str, loc[:-1]))}" if loc[:-1] else ""
            said.append(f"{variable(loc)} sets nothing: there is no{group} setting {loc[-1]!r}")
            continue
        info = _field(loc)
        window = allowed(info) if info is not None else None
        value = problem.get("input")
        shown = f"={value}" if isinstance(value, (str, int, float)) else ""
        if window and problem["type"].startswith(("greater_than", "less_than")):
            said.append(f"{variable(loc)}{shown} is out of range: it must be {window}")
        else:
            said.append(f"{variable(loc)}{shown}: {message[0].lower()}{message[1:]}"
                        + (f" ({window})" if window else ""))
    return "; ".join(said)


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """Each RAG_* variable that sets nothing (a misspelt group or field, which pydantic-settings
    would ignore without a word), as a line naming it and the closest real name."""
    environ = os.environ if environ is None else environ
    lines = []
    for name in sorted(environ):
        if not name.upper().startswith(PREFIX):
            continue
        model: Any = Settings
        parts = name[len(PREFIX):].lower().split("__")
        for at, part in enumerate(parts):
            fields = model.model_fields
            if part not in fields:
                where = "setting" if at == 0 else f"{'.'.join(parts[:at])} setting"
                close = difflib.get_close_matches(part, list(fields), n=1)
                hint = f" (did you mean {variable((*parts[:at], close[0], *parts[at + 1:]))}?)" if close else \
                    f" (there are {', '.join(fields)})"
                lines.append(f"{name} sets nothing: there is no {where} {part!r}{hint}")
                break
            model = fields[part].annotation
            more = at + 1 < len(parts)
            if more and not (isinstance(model, type) and issubclass(model, BaseModel)):
                lines.append(f"{name} sets nothing: {'.'.join(parts[:at + 1])} is a setting, not a group")
                break
    return lines


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Refuse, in one line, RAG_* variables that match no setting (at start-up)."""
    if unknown := unknown_variables(environ):
        raise SettingsError("; ".join(unknown))


def presets() -> list[str]:
    return sorted(p.stem for p in PRESETS.glob("*.json"))


def read_preset(name: str) -> dict:
    """A preset's values, nested as the settings are; a one-line error names the others."""
    path = PRESETS / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"no settings preset {name!r} (there are {', '.join(presets())})")
    return json.loads(path.read_text(encoding="utf-8"))


def write_preset(name: str, values: dict) -> Path:
    """Store tuned values as a preset (benchmarks write these instead of editing code)."""
    path = PRESETS / f"{name}.json"
    path.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
    return path


def _nested(values: dict[str, Any]) -> dict[str, Any]:
    """`{"answer__reader__enabled": False}` as `{"answer": {"reader": {"enabled": False}}}`."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        *groups, name = key.split("__") if not key.startswith("_") else [key]
        if groups and groups[0] not in Settings.model_fields:
            raise ValueError(f"no setting {key!r}")
        target = out
        for group in groups:
            target = target.setdefault(group, {})
        target[name] = value
    return out


def _merged(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out


class _PresetSource(PydanticBaseSettingsSource):
    """The default preset, with a named one laid over it: below init arguments and the environment."""

    def __init__(self, settings_cls: type[BaseSettings], name: str) -> None:
        super().__init__(settings_cls)
        self.name = name

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything comes from __call__

    def __call__(self) -> dict[str, Any]:
        values = read_preset(DEFAULT_PRESET)
        return _merged(values, read_preset(self.name)) if self.name != DEFAULT_PRESET else values
