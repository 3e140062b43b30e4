"""Eval output a person reads: a metrics table in the terminal, and a Markdown report
with plots (matplotlib)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display here, and none needed
import matplotlib.pyplot as plt
from rich.console import Console
from rich.table import Table

from rag.eval.score import CaseResult

METRICS = ["cases", "passed", "errors", "pass_rate", "fact_accuracy", "source_hit", "citation_precision",
           "abstain_precision", "abstain_recall", "abstain_f1", "hit_at_5", "mrr",
           "latency_p50_ms", "latency_p95_ms", "answer_words_median"]
# Shown when a run has them (generated answers): see `generation_metrics`.
GENERATION_METRICS = ["sentences_verified", "sentences_reattributed",
                      "sentences_flagged", "sentences_dropped", "first_token_p50_ms",
                      "first_token_p95_ms"]


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}" if value > 1.5 else f"{value:.3f}"
    return str(value)


def print_table(summaries: dict[str, dict], console: Console | None = None) -> None:
    table = Table(title="eval")
    table.add_column("metric")
    for label in summaries:
        table.add_column(label, justify="right")
    for metric in METRICS + [m for m in GENERATION_METRICS if any(m in s for s in summaries.values())]:
        table.add_row(metric, *(_cell(s.get(metric)) for s in summaries.values()))
    tags = sorted({tag for s in summaries.values() for tag in s.get("by_tag", {})})
    for tag in tags:
        table.add_row(f"pass rate: {tag}", *(
            _cell(s.get("by_tag", {}).get(tag, {}).get("pass_rate")) for s in summaries.values()))
    (console or Console()).print(table)


def write_report(folder: Path, command: str, summaries: dict[str, dict],
                 results: dict[str, list[CaseResult]], changes: dict[str, list[str]] | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _plot_tags(folder / "pass_rate_by_tag.png", summaries)
    _plot_latency(folder / "latency.png", results)
    lines = ["# Eval report", "", f"Command: `{command}`", "", "| metric | " +
             " | ".join(summaries) + " |", "|---|" + "---:|" * len(summaries)]
    lines += [f"| {m} | " + " | ".join(_cell(s.get(m)) for s in summaries.values()) + " |"
              for m in METRICS]
    lines += ["", "![pass rate by tag](pass_rate_by_tag.png)", "", "![latency](latency.png)", ""]
    if changes is not None:
        lines += ["## Against the baseline run", ""]
        lines += [f"- **Broke** (pass → fail): {', '.join(changes['broke']) or 'none'}",
                  f"- **Fixed** (fail → pass): {', '.join(changes['fixed']) or 'none'}", ""]
    for label, rows in results.items():
        failed = [r for r in rows if not r.passed]
        lines += [f"## Failed cases: {label} ({len(failed)})", ""]
        lines += ["| id | question | answer | missing fact groups | cited |", "|---|---|---|---|---|"]
        lines += [f"| {r.id} | {_md(r.question)} | "
                  f"{_md(f'error: {r.error}' if r.error else r.answer, 200)} | {r.failed_facts} | "
                  f"{', '.join(dict.fromkeys(r.cited))} |" for r in failed]
        lines.append("")
    path = folder / "report.md"
    path.write_text("\n".join(lines))
    return path


def _md(text: str, width: int = 120) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[:width] + "…"


def _plot_tags(path: Path, summaries: dict[str, dict]) -> None:
    tags = sorted({tag for s in summaries.values() for tag in s.get("by_tag", {})}) or ["all"]
    fig, ax = plt.subplots(figsize=(max(6, len(tags) * 0.9), 4))
    width = 0.8 / len(summaries)
    for i, (label, summary) in enumerate(summaries.items()):
        rates = [summary.get("by_tag", {}).get(t, {}).get("pass_rate") or 0 for t in tags]
        if tags == ["all"]:
            rates = [summary.get("pass_rate") or 0]
        ax.bar([x + i * width for x in range(len(tags))], rates, width, label=label)
    ax.set_xticks([x + width * (len(summaries) - 1) / 2 for x in range(len(tags))], tags,
                  rotation=30, ha="right")
    ax.set_ylim(0, 1.18)  # headroom so the legend never covers a full bar
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("pass rate")
    ax.set_title("Pass rate by tag")
    ax.legend(loc="upper center", ncol=len(summaries))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_latency(path: Path, results: dict[str, list[CaseResult]]) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, rows in results.items():
        ax.hist([r.latency_ms for r in rows], bins=30, alpha=0.6, label=label)
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Answer latency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
