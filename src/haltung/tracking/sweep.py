"""Sweeps (`haltung-train -m …`): one parent run, one nested child run per job, a summary.

Hydra calls `SweepCallback` around a multirun. The parent's id reaches the jobs through the
environment variable `HALTUNG_PARENT_RUN_ID`. If the sweep dies, an exit hook still closes the
parent (FAILED), so no run is left RUNNING.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import time
from typing import Any

import pandas as pd
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from haltung.evaluation.metrics import mean_sd
from haltung.tracking.compare import SCORING_TAG, publish_comparison

PARENT_ENV = "HALTUNG_PARENT_RUN_ID"
OVERRIDES_TAG = "haltung.overrides"
PRIMARY_TAG = "haltung.primary_metric"

log = logging.getLogger(__name__)


def experiment_overrides(overrides: list[str]) -> list[str]:
    """The overrides that change the experiment, not where it is logged or written."""
    return [o for o in overrides if not re.match(r"^[+~]*(paths|tracking|hydra)\.", o)]


def run_label(overrides: list[str], model_name: str) -> str:
    """A run's name: the model and the other experiment overrides."""
    rest = [o for o in experiment_overrides(overrides) if not re.match(r"^[+~]*model=", o)]
    return " ".join([model_name, *rest])


def sweep_groups(job_overrides: list[list[str]]) -> list[str]:
    """Name each job by what varies across the sweep, except the seed: its runs are averaged.

    `model=x` reads as `x`; other varying keys as `key=value`.
    """
    parsed = [dict(o.lstrip("+~").split("=", 1) for o in job if "=" in o) for job in job_overrides]
    keys = sorted({k for job in parsed for k in job})
    varying = [k for k in keys if k != "seed" and len({job.get(k) for job in parsed}) > 1]
    return [
        " ".join(job.get(k, "") if k == "model" else f"{k}={job.get(k, '')}" for k in varying)
        or "all"
        for job in parsed
    ]


class SweepCallback(Callback):
    """Opens the parent run when a multirun starts and closes it with a summary at the end."""

    def __init__(self) -> None:
        self.run_id: str | None = None
        self.uri: str | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from mlflow import MlflowClient

        from haltung.tracking.store import connect, resolve_store

        store = resolve_store(config)
        self.uri = store.uri
        experiment_id = connect(store, config.tracking.experiment_name)
        sweep = " ".join(config.hydra.overrides.task) or "sweep"
        run = MlflowClient(self.uri).create_run(
            experiment_id,
            run_name=f"sweep {time.strftime('%Y-%m-%d %H:%M')}",
            tags={"haltung.sweep": sweep, "haltung.sweep_dir": str(config.hydra.sweep.dir)},
        )
        self.run_id = run.info.run_id
        os.environ[PARENT_ENV] = self.run_id
        atexit.register(self._close, "FAILED")
        log.info(
            "Sweep parent run %s (experiment %s)", self.run_id, config.tracking.experiment_name
        )

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        self._close("FINISHED")

    def _close(self, status: str) -> None:
        """Write the summary to the parent and end it (once)."""
        if not self.run_id:
            return
        run_id, self.run_id = self.run_id, None
        os.environ.pop(PARENT_ENV, None)
        from mlflow import MlflowClient

        client = MlflowClient(self.uri)
        try:
            summary, failed = summarise(client, run_id)
            if failed:
                status = "FAILED"
                client.set_tag(run_id, "error", f"{failed} job(s) failed; see their runs")
            publish_summary(client, run_id, summary)
            publish_comparison(client, run_id, summary)
        finally:
            client.set_terminated(run_id, status=status)


def summarise(client: Any, parent_run_id: str) -> tuple[pd.DataFrame, int]:
    """Per group and metric (the headline and each test set's primary metric): runs,
    mean ± sd, and the best run; plus the number of failed jobs."""
    parent = client.get_run(parent_run_id)
    children = client.search_runs(
        [parent.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'",
        max_results=10_000,
    )
    failed = sum(child.info.status == "FAILED" for child in children)
    finished = [child for child in children if child.info.status == "FINISHED"]
    overrides = [json.loads(c.data.tags.get(OVERRIDES_TAG, "[]")) for c in finished]
    rows = []
    for child, group in zip(finished, sweep_groups(overrides), strict=True):
        for metric in scored_metrics(child.data.tags):
            if metric in child.data.metrics:
                rows.append(
                    {
                        "group": group,
                        "metric": metric,
                        "value": child.data.metrics[metric],
                        "run_id": child.info.run_id,
                        "run_name": child.info.run_name,
                    }
                )
    if not rows:
        return pd.DataFrame(), failed
    table = []
    for (group, metric), runs in pd.DataFrame(rows).groupby(["group", "metric"], sort=False):
        mean, sd = mean_sd(runs["value"])
        best = runs.loc[runs["value"].idxmax()]
        table.append(
            {
                "group": group,
                "metric": metric,
                "runs": len(runs),
                "mean": mean,
                "sd": sd,
                "best": best["value"],
                "best_run_id": best["run_id"],
                "best_run_name": best["run_name"],
            }
        )
    summary = pd.DataFrame(table)
    headline = summary["metric"] == summary["metric"].iloc[0]
    order = summary.assign(_h=~headline).sort_values(["_h", "metric", "mean"], ascending=[1, 1, 0])
    return order.drop(columns="_h").reset_index(drop=True), failed


def scored_metrics(tags: dict[str, str]) -> list[str]:
    """A run's headline metric, then the primary metric of every test set it scored."""
    scoring = json.loads(tags.get(SCORING_TAG, "{}"))
    headline = tags.get(PRIMARY_TAG, "")
    extra = [f"{name}_{scoring['metric']}" for name in scoring.get("test_sets", [])]
    return [m for m in (headline, *extra) if m]


def publish_summary(client: Any, run_id: str, summary: pd.DataFrame) -> None:
    """Log the summary to the parent run (metrics, table artifacts, best-run tags) and print it."""
    if summary.empty:
        return
    for row in summary.itertuples():
        key = _metric_key(row.group)
        client.log_metric(run_id, f"{key}/{row.metric}_mean", row.mean)
        client.log_metric(run_id, f"{key}/{row.metric}_sd", row.sd)
    headline = summary[summary["metric"] == summary["metric"].iloc[0]]
    best = headline.loc[headline["best"].idxmax()]
    client.set_tag(run_id, "best_run_id", best["best_run_id"])
    client.set_tag(
        run_id, "best_run", f"{best['best_run_name']} ({best['metric']} {best['best']:.4f})"
    )
    client.log_text(run_id, summary.to_csv(index=False), "sweep_summary.csv")
    client.log_text(run_id, _markdown(summary), "sweep_summary.md")
    _print(summary)


def _metric_key(group: str) -> str:
    return re.sub(r"[^\w\-. /]", "_", group.replace("=", "-")).strip() or "group"


def _markdown(summary: pd.DataFrame) -> str:
    lines = ["| group | metric | runs | mean ± sd | best | best run |", "|---|---|---|---|---|---|"]
    for r in summary.itertuples():
        lines.append(
            f"| {r.group} | {r.metric} | {r.runs} | {r.mean:.4f} ± {r.sd:.4f} | {r.best:.4f} "
            f"| {r.best_run_name} ({r.best_run_id}) |"
        )
    return "\n".join(lines) + "\n"


def _print(summary: pd.DataFrame) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Sweep summary")
    for column in ("group", "metric", "runs", "mean ± sd", "best", "best run"):
        table.add_column(column)
    for r in summary.itertuples():
        table.add_row(
            r.group,
            r.metric,
            str(r.runs),
            f"{r.mean:.4f} ± {r.sd:.4f}",
            f"{r.best:.4f}",
            r.best_run_name,
        )
    Console().print(table)
