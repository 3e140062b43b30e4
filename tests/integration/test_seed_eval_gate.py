"""The seed eval as `make test` gates on it: `rag eval` over the seed corpus, ours beside a
stock llama-index pipeline, with the real embedder."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.samples import ROOT

# The seed cases' pass rate must not drop below this (what the system reached when
# it was set, less a little room; see evals/README.md). Issue 9 added 40 harder cases
# (0.841 with its answer rules; the earlier code reaches 0.828 on the 145); its second
# pass (names in their other forms, one missing name abstains) reaches 0.866 on the 149, its
# third (the best sentence quoted in context, a wider margin for two-part questions) 0.886.
SEED_MIN_PASS_RATE = 0.86


@pytest.mark.integration
def test_seed_eval_gate_with_baseline_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "seed.json"
    run = subprocess.run(
        [sys.executable, "-m", "rag.app.cli", "eval", "evals/seed.jsonl", "--corpus", "corpus",
         "--index", str(tmp_path / "index"), "--pipeline", "both", "--json", str(out),
         "--report", str(tmp_path / "report"), "--min-pass-rate", str(SEED_MIN_PASS_RATE)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    ours, baseline = result["pipelines"]["ours"], result["pipelines"]["baseline"]
    assert ours["pass_rate"] > baseline["pass_rate"]
    assert len(result["results"]) == result["cases"] >= 60
    assert (tmp_path / "report" / "report.md").exists()
