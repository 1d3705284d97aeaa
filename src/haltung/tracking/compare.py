"""A sweep's groups compared on each test set: the best against every other, paired bootstrap.

For every metric of the sweep summary, the best run of each group is fetched with its
predictions on that test set (`predictions.csv` for the headline split, `predictions_<set>.csv`
for a test set); groups scored on other rows (e.g. trained on different corpora, scored on
their own test splits) are not compared.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from haltung.evaluation.significance import compare_to_best
from haltung.tracking.store import artifact_progress_off

log = logging.getLogger(__name__)
SCORING_TAG = "haltung.scoring"  # set by train.py: metric, labels, averaged labels, test sets
SAMPLES = 10_000


def publish_comparison(client: Any, run_id: str, summary: pd.DataFrame) -> pd.DataFrame:
    """Compare the groups of `summary` on each of its metrics; log the table to the parent."""
    if summary.empty or summary["group"].nunique() < 2:
        return pd.DataFrame()
    parts = []
    with tempfile.TemporaryDirectory() as tmp, artifact_progress_off():
        for metric, rows in summary.groupby("metric", sort=False):
            if len(rows) >= 2:
                part = _compare(client, metric, rows, Path(tmp))
                if part is not None:
                    parts.append(part)
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    client.log_text(run_id, table.to_csv(index=False), "sweep_comparison.csv")
    client.log_text(run_id, markdown(table), "sweep_comparison.md")
    _print(table)
    return table


def _compare(client: Any, metric: str, rows: pd.DataFrame, tmp: Path) -> pd.DataFrame | None:
    runs = {r.group: client.get_run(r.best_run_id) for r in rows.itertuples()}
    scoring = json.loads(next(iter(runs.values())).data.tags.get(SCORING_TAG, "{}"))
    if not scoring:
        return None
    prefix = metric.removesuffix(f"_{scoring['metric']}")
    artifact = "predictions.csv" if prefix in ("test", "dev") else f"predictions_{prefix}.csv"
    predictions = {}
    for group, run in runs.items():
        try:
            path = client.download_artifacts(run.info.run_id, artifact, str(tmp))
        except Exception as err:  # any missing artifact means: not comparable
            log.warning("no %s in run %s (%s): not compared", artifact, run.info.run_id, err)
            return None
        predictions[group] = pd.read_csv(path, dtype=str, keep_default_na=False)
        Path(path).unlink()
    try:
        table = compare_to_best(
            predictions, scoring["labels"], scoring["averaged"], samples=SAMPLES
        )
    except ValueError:  # the groups were scored on different rows
        log.warning(
            "%s: the groups' best runs were scored on different rows (other seeds or splits), "
            "so they are not compared pairwise; sweep over models at one seed for that",
            metric,
        )
        return None
    table = table.rename(columns={"name": "group"})
    table.insert(0, "metric", metric)
    table["ci_low"] = [runs[g].data.metrics.get(f"{metric}_ci_low") for g in table["group"]]
    table["ci_high"] = [runs[g].data.metrics.get(f"{metric}_ci_high") for g in table["group"]]
    table["run_id"] = [runs[g].info.run_id for g in table["group"]]
    table["confidence"] = [
        float(runs[g].data.params.get("evaluation.confidence", 0.95)) for g in table["group"]
    ]
    return table


def markdown(table: pd.DataFrame) -> str:
    """The comparison as Markdown: score (with the runs' interval), difference to the best
    (95% interval), p-value."""
    levels = table["confidence"].dropna().unique() if "confidence" in table else [0.95]
    level = f"{levels[0] * 100:g}% CI" if len(levels) == 1 else "CI"
    lines = [
        "Best run of each group; difference to the best group on the same test rows, with a "
        f"paired bootstrap ({SAMPLES:,} samples): 95% interval and two-sided p-value.",
        "",
        f"| metric | group | score ({level}) | Δ to best (95% CI) | p |",
        "|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        ci = f" ({r.ci_low:.3f}–{r.ci_high:.3f})" if pd.notna(r.ci_low) else ""
        if r.best:
            delta, p = "best", ""
        else:
            delta = f"{r.delta_to_best:+.3f} ({r.delta_ci_low:+.3f} to {r.delta_ci_high:+.3f})"
            p = p_text(r.p_value)
        lines.append(f"| {r.metric} | {r.group} | {r.score:.3f}{ci} | {delta} | {p} |")
    return "\n".join(lines) + "\n"


def p_text(p: float, samples: int = SAMPLES) -> str:
    """A bootstrap p-value as text: 0 resamples against means p < 1/samples, not p = 0."""
    return f"< {1 / samples:.4f}" if p < 1 / samples else f"{p:.4f}"


def wide_console() -> Any:
    """A rich console that never cuts a table: as wide as the table when the output is not a
    terminal (a log, a pipe); on a terminal, columns added with `overflow="fold"` wrap."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=1000)


def _print(table: pd.DataFrame) -> None:
    from rich.table import Table

    out = Table(title="Best group against each other group (paired bootstrap)")
    for column in ("metric", "group", "score", "Δ to best", "p"):
        out.add_column(column, overflow="fold")
    for r in table.itertuples():
        out.add_row(
            r.metric,
            r.group,
            f"{r.score:.3f}",
            "best" if r.best else f"{r.delta_to_best:+.3f}",
            "" if r.best else p_text(r.p_value),
        )
    wide_console().print(out)
