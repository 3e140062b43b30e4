"""The one typed settings object. Every field can be set from the environment as RAG_<NAME>."""

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", env_file=".env", extra="ignore")

    # Where things live
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    chroma_url: str | None = Field(
        default=None, description="http://host:port of a `chroma run` server instead of index_dir"
    )
    collection: str = "rag"

    # Chunking: MiniLM truncates at 256 word pieces; 200 cl100k tokens plus the title
    # stays under that for English news text.
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 40

    # Embedding
    embed_batch_size: int = Field(default=32, description="texts embedded per MiniLM call")
    # A document with more text than this is reported as slow to embed (it is still indexed).
    warn_document_mb: float = 5.0

    # Retrieval
    top_k: int = 5
    # Share of the cosine in the fused score, the rest BM25 (benchmarks/tune.py).
    dense_weight: float = 0.7
    # At most this many of the top_k chunks from one document (0: no cap); see evals/README.md.
    chunks_per_document: int = 0

    # Answering
    answer_backend: str = Field(
        default="extractive", description="a registered backend (rag/answer/backends.py): "
                                          "'local' runs a GGUF in process; 'openai' calls llm_url")
    answer_sentences: int = 3
    # Tuned with the sentence weights by benchmarks/tune.py on the seed evals and squad2 dev
    # (evals/README.md): it maximises the mean pass rate of the two.
    abstain_threshold: float = 0.57
    # The trained reader (models/reader/, rag/reader/): reads the best sentences' windows and
    # answers with the span it finds; off, the sentence rules above answer alone.
    reader: bool = Field(default=True, description="answer with the trained reader's span")
    reader_dir: Path | None = Field(default=None, description="another reader model folder")
    reader_windows: int = Field(default=6, description="sentence windows the reader reads per question")
    reader_threshold: float = Field(default=-6.0, description="a span must beat its window's no-answer "
                                    "reading by this (logits) to answer; tuned by `benchmarks/reader_eval.py tune`")
    reader_quote: Literal["rules", "span"] = Field(
        default="rules", description="'rules': the sentence rules' quote, led by the reader's span when it "
        "lies inside; 'span': the span's own sentence (in context for why/how questions)")
    reader_rerank: float = Field(default=5.0, description="'rules': answer from the reader's best span "
                                 "instead when it beats every span inside the rules' quote by this (logits)")
    reader_near_miss: bool = Field(default=True, description="keep the near-miss rule (a name or number "
                                   "the question specifies that the passage lacks) in front of the reader")

    # LLM answering (the `local` and `openai` backends)
    unsupported: Literal["drop", "flag"] = Field(
        default="drop", description="what to do with a generated sentence no source supports")
    llm_gguf: Path | None = Field(default=None, description="a GGUF file instead of the default model")
    model_cache: Path = Path.home() / ".cache" / "rag" / "models"
    llm_url: str | None = Field(default=None, description="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
    llm_model: str = "local"
    llm_api_key: str | None = None
    llm_timeout: float = 60.0  # seconds without a byte from the server
    # Seconds for a whole generated answer, however the server streams (keep-alive
    # comments, tokens past max_tokens): then the quoted answer stands, with a notice.
    llm_deadline: float = 120.0
    llm_passages: int = 4  # passages given to the model, trimmed around their best sentences
    llm_max_tokens: int = 128
    llm_threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    llm_context: int = 2048

    # Chat UI
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = Field(default=None, description="user:password turns on Gradio auth")
    max_upload_mb: float = 5.0
    chat_concurrency: int = Field(
        default=2, ge=1, description="questions the chat answers at once, queued apart from uploads "
                                     "and deletions. 2 measured fastest (benchmarks/README.md, load)")

    @field_validator("answer_backend")
    @classmethod
    def _registered(cls, name: str) -> str:
        from rag.answer.backends import names

        if name not in names():
            raise ValueError(f"no answer backend {name!r} (there are {', '.join(names())})")
        return name
