"""Sweeps (`haltung-train -m …`): one parent run, one nested child run per job, a summary.

Hydra calls `SweepCallback` around a multirun. The parent's id reaches the jobs through the
environment variable `HALTUNG_PARENT_RUN_ID`. If the sweep dies, an exit hook still closes the
parent (FAILED; KILLED when a signal stopped it) and its children still RUNNING (KILLED), so no
run is left RUNNING.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from haltung.evaluation.metrics import mean_sd
from haltung.tracking import closing
from haltung.tracking.compare import SCORING_TAG, publish_comparison, wide_console
from haltung.tracking.search import publish_search, search_results

PARENT_ENV = "HALTUNG_PARENT_RUN_ID"
SWEEP_KEYS_ENV = "HALTUNG_SWEEP_KEYS"  # the keys a sweep varies (JSON list), for run names
STOPPED_ENV = "HALTUNG_STOPPED_BY"  # set by haltung-train when a signal stopped it
OVERRIDES_TAG = "haltung.overrides"
PRIMARY_TAG = "haltung.primary_metric"
NOTE_TAG = "mlflow.note.content"  # a run's description in the MLflow UI
LEADERBOARD = "sweep_leaderboard.json"
IDENTICAL = "(identical)"
IDENTICAL_NOTE = (
    f"{IDENTICAL}: every run of the group scored exactly this, so there is no spread to report: "
    "the seed did not change the result (e.g. a fixed split and a deterministic model)."
)

log = logging.getLogger(__name__)


#: Overrides that change where a run is logged or written, or how fast it runs, not its results.
_NOT_THE_EXPERIMENT = re.compile(
    r"^[+~]*((paths|tracking|hydra)[.=/@]|model\.(blas_threads|fit_in_child)=)"
)


def experiment_overrides(overrides: list[str]) -> list[str]:
    """The overrides that change the experiment: not where it is logged or written, nor the
    thread count or process it fits in."""
    return [o for o in overrides if not _NOT_THE_EXPERIMENT.match(o)]


def _key(override: str) -> str:
    return override.lstrip("+~").split("=", 1)[0]


def run_label(overrides: list[str], model_name: str, varying: Sequence[str] = ()) -> str:
    """A run's name: what its sweep varies first (`tfidf_nb seed=2`), so that a cut name still
    tells the runs apart; then the model and the other experiment overrides."""
    chosen = experiment_overrides(overrides)
    first = [
        model_name if _key(o) == "model" else o.lstrip("+~") for o in chosen if _key(o) in varying
    ]
    model = [] if "model" in varying and first else [model_name]
    rest = [o for o in chosen if _key(o) not in varying and _key(o) != "model"]
    return " ".join([*first, *model, *rest])


def sweep_keys(overrides: Sequence[str]) -> list[str]:
    """The keys a multirun's command-line overrides sweep over (`model=a,b`, `seed=range(3)`)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(list(overrides))
    return [o.key_or_group for o in parsed if o.is_sweep_override()]


def _varying(parsed: list[dict[str, str]], skip: Sequence[str] = ()) -> list[str]:
    keys = sorted({k for job in parsed for k in job})
    return [k for k in keys if k not in skip and len({job.get(k) for job in parsed}) > 1]


def _label(job: dict[str, str], keys: Sequence[str]) -> str:
    """`model=x` reads as `x`; other keys as `key=value`."""
    return " ".join(job.get(k, "") if k == "model" else f"{k}={job.get(k, '')}" for k in keys)


def _parse(job_overrides: list[list[str]]) -> list[dict[str, str]]:
    return [dict(o.lstrip("+~").split("=", 1) for o in job if "=" in o) for job in job_overrides]


def sweep_groups(job_overrides: list[list[str]]) -> list[str]:
    """Name each job by what varies across the sweep, except the seed: its runs are averaged."""
    parsed = _parse(job_overrides)
    varying = _varying(parsed, skip=("seed",))
    return [_label(job, varying) or "all" for job in parsed]


def job_labels(job_overrides: list[list[str]]) -> list[str]:
    """Name each job by everything that varies across the sweep, the seed included ("" when
    nothing does)."""
    parsed = _parse(job_overrides)
    varying = _varying(parsed)
    return [_label(job, varying) for job in parsed]


class SweepCallback(Callback):
    """Opens the parent run when a multirun starts and closes it with a summary at the end."""

    def __init__(self) -> None:
        self.run_id: str | None = None
        self.uri: str | None = None
        self.sweep_dir: str | None = None

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from mlflow import MlflowClient

        from haltung.tracking.store import connect, resolve_store

        store = resolve_store(config)
        self.uri = store.uri
        experiment_id = connect(store, config.tracking.experiment_name)
        task_overrides = OmegaConf.to_container(config.hydra.overrides.task, resolve=False)
        sweep = " ".join(task_overrides) or "sweep"
        run = MlflowClient(self.uri).create_run(
            experiment_id,
            run_name=f"sweep {time.strftime('%Y-%m-%d %H:%M')}",
            tags={
                "haltung.sweep": sweep,
                "haltung.sweep_dir": str(config.hydra.sweep.dir),
                NOTE_TAG: f"Sweep `{_shown(sweep)}`: running; its leaderboard comes at the end.",
            },
        )
        self.run_id, self.sweep_dir = run.info.run_id, str(config.hydra.sweep.dir)
        os.environ[PARENT_ENV] = self.run_id
        os.environ[SWEEP_KEYS_ENV] = json.dumps(sweep_keys(experiment_overrides(task_overrides)))
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
        os.environ.pop(SWEEP_KEYS_ENV, None)
        from mlflow import MlflowClient

        client = MlflowClient(self.uri)
        stopped = os.environ.get(STOPPED_ENV) if status != "FINISHED" else None
        tags = {}
        try:
            close_children(client, run_id)
            summary, failed = summarise(client, run_id)
            unstarted = 0 if stopped else jobs_without_run(client, run_id, self.sweep_dir)
            if stopped:
                status, tags = "KILLED", {"error": f"sweep stopped by {stopped}"}
            elif failed or unstarted:
                why = [f"{failed} job(s) failed; see their runs"] if failed else []
                if unstarted:
                    why.append(
                        f"{unstarted} job(s) stopped before their run began (settings or data "
                        f"they were given): see train.log in their folders under {self.sweep_dir}"
                    )
                status, tags = "FAILED", {"error": "; ".join(why)}
            publish_summary(client, run_id, summary, failed + unstarted)
            publish_comparison(client, run_id, summary)
            if self.sweep_dir and (results := search_results(self.sweep_dir)):
                publish_search(client, run_id, results)  # e.g. Optuna's best trial
        finally:
            closing.end_run(self.uri, run_id, status, tags)


def jobs_without_run(client: Any, parent_run_id: str, sweep_dir: str | None) -> int:
    """How many of this sweep's jobs logged no run: they stopped in the checks before a run
    starts. A job is a numbered folder of the sweep written since the parent run began (an
    earlier sweep into the same folder does not count); its run may be in any experiment."""
    from mlflow.entities import ViewType

    parent = client.get_run(parent_run_id)
    if not sweep_dir or not Path(sweep_dir).is_dir():
        return 0
    began = parent.info.start_time / 1000
    jobs = [
        p
        for p in Path(sweep_dir).iterdir()
        if p.name.isdigit() and (p / ".hydra").is_dir() and (p / ".hydra").stat().st_mtime >= began
    ]
    if not jobs:
        return 0
    experiments = client.search_experiments(view_type=ViewType.ALL)
    children = client.search_runs(
        [e.experiment_id for e in experiments],
        filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'",
        run_view_type=ViewType.ALL,
        max_results=10_000,
    )
    return max(0, len(jobs) - len(children))


def close_children(client: Any, parent_run_id: str) -> None:
    """Mark the parent's child runs still RUNNING as KILLED (a job cut short)."""
    parent = client.get_run(parent_run_id)
    running = client.search_runs(
        [parent.info.experiment_id],
        filter_string=(
            f"tags.mlflow.parentRunId = '{parent_run_id}' and attributes.status = 'RUNNING'"
        ),
        max_results=10_000,
    )
    for child in running:
        tags = {"error": "cut short: the sweep ended while this job ran"}
        closing.end_run(client.tracking_uri, child.info.run_id, "KILLED", tags)


def summarise(client: Any, parent_run_id: str) -> tuple[pd.DataFrame, int]:
    """Per group and metric (the headline and each test set's primary metric): runs,
    mean ± sd, whether the runs were identical, and the best run; plus the number of failed
    jobs."""
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
    for child, group, label in zip(
        finished, sweep_groups(overrides), job_labels(overrides), strict=True
    ):
        for metric in scored_metrics(child.data.tags):
            if metric in child.data.metrics:
                rows.append(
                    {
                        "group": group,
                        "metric": metric,
                        "value": child.data.metrics[metric],
                        "run_id": child.info.run_id,
                        "run_name": child.info.run_name,
                        "label": label or child.info.run_name,
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
                "identical": len(runs) > 1 and runs["value"].nunique() == 1,
                "best": best["value"],
                "best_run": best["label"],
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


def spread(mean: float, sd: float, runs: int, identical: bool) -> str:
    """`0.394 ± 0.031`; one run: just the value; identical runs: the value, marked."""
    if runs == 1:
        return f"{mean:.3f}"
    if identical:
        return f"{mean:.3f} {IDENTICAL}"
    return f"{mean:.3f} ± {sd:.3f}"


def leaderboard(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per group, best headline mean first: runs, mean ± sd of every metric (3
    decimals), and the group's best run on the headline."""
    headline = summary["metric"].iloc[0]
    metrics = list(dict.fromkeys(summary["metric"]))
    cells = {
        (r.group, r.metric): spread(r.mean, r.sd, r.runs, r.identical) for r in summary.itertuples()
    }
    rows = []
    for r in summary[summary["metric"] == headline].itertuples():  # sorted by mean
        rows.append(
            {
                "group": r.group,
                "runs": r.runs,
                **{m: cells.get((r.group, m), "–") for m in metrics},
                "best run": f"{r.best_run} ({r.best:.3f})",
                "best run id": r.best_run_id,
            }
        )
    return pd.DataFrame(rows)


def describe(summary: pd.DataFrame, sweep: str, failed: int = 0) -> str:
    """The sweep parent's description (Markdown): the best group in one line, then the
    leaderboard, its columns named by test set."""
    board = leaderboard(summary).drop(columns="best run id")
    headline = summary["metric"].iloc[0]
    split, metric = headline.split("_", 1)
    top = board.iloc[0]
    runs = int(board["runs"].sum())
    failures = f", {failed} failed" if failed else ""
    short = {m: m.removesuffix(f"_{metric}") for m in board.columns[2:-1]}
    lines = [
        f"Best: {top['group']}, {split} {metric} {top[headline]} ({_runs(top['runs'])}); "
        f"best run {top['best run']}.",
        "",
        _markdown_table(board.rename(columns=short)),
        "",
        f"{metric} on each test set ({split}: the training data's own {split} split), "
        f"{_averaged(summary)}; ranked by {split}. Sweep `{sweep}`: {_runs(runs)} in "
        f"{len(board)} groups{failures}.",
    ]
    if summary["identical"].any():
        lines += ["", IDENTICAL_NOTE]
    lines += [
        "",
        f"Artifacts: `{LEADERBOARD}` (this table), `sweep_summary.csv` / `.md`, "
        "`sweep_comparison.md` (each group against the best, paired bootstrap; where the "
        "best runs were scored on the same rows).",
    ]
    return "\n".join(lines) + "\n"


def publish_summary(client: Any, run_id: str, summary: pd.DataFrame, failed: int = 0) -> None:
    """Log the summary to the parent run (metrics, description, leaderboard table, summary
    files, best-run tags) and print it."""
    if summary.empty:
        return
    for row in summary.itertuples():
        key = _metric_key(row.group)
        client.log_metric(run_id, f"{key}/{row.metric}_mean", row.mean)
        client.log_metric(run_id, f"{key}/{row.metric}_sd", row.sd)
    headline = summary[summary["metric"] == summary["metric"].iloc[0]]
    best = headline.loc[headline["best"].idxmax()]
    client.set_tag(run_id, "best_run_id", best["best_run_id"])
    client.set_tag(run_id, "best_run", f"{best['best_run']} ({best['metric']} {best['best']:.3f})")
    sweep = _shown(client.get_run(run_id).data.tags.get("haltung.sweep", ""))
    client.set_tag(run_id, NOTE_TAG, describe(summary, sweep, failed))
    client.log_table(run_id, data=leaderboard(summary), artifact_file=LEADERBOARD)
    client.log_text(run_id, summary.to_csv(index=False), "sweep_summary.csv")
    client.log_text(run_id, _markdown(summary), "sweep_summary.md")
    _print(summary)


def _averaged(summary: pd.DataFrame) -> str:
    if (summary["runs"] == 1).all():
        return "one run per group"
    return "mean ± sd over the group's runs (seeds)"


def _value_column(summary: pd.DataFrame) -> str:
    return "score" if (summary["runs"] == 1).all() else "mean ± sd"


def _runs(n: int) -> str:
    return f"{n} run" if n == 1 else f"{n} runs"


def _shown(sweep: str) -> str:
    """The sweep's overrides without those that only say where it is written."""
    return " ".join(experiment_overrides(sweep.split(" ")))


def _metric_key(group: str) -> str:
    return re.sub(r"[^\w\-. /]", "_", group.replace("=", "-")).strip() or "group"


def _markdown_table(table: pd.DataFrame) -> str:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|")

    lines = [
        "| " + " | ".join(map(cell, table.columns)) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def _rows(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as text: group, metric, runs, mean ± sd, best, best run (3 decimals)."""
    return pd.DataFrame(
        {
            "group": summary["group"],
            "metric": summary["metric"],
            "runs": summary["runs"].astype(str),
            _value_column(summary): [
                spread(r.mean, r.sd, r.runs, r.identical) for r in summary.itertuples()
            ],
            "best": [f"{v:.3f}" for v in summary["best"]],
            "best run": summary["best_run"],
        }
    )


def _markdown(summary: pd.DataFrame) -> str:
    text = _markdown_table(_rows(summary).assign(**{"run id": summary["best_run_id"]}))
    if summary["identical"].any():
        text += "\n\n" + IDENTICAL_NOTE
    return text + "\n"


def _print(summary: pd.DataFrame) -> None:
    from rich.table import Table

    rows = _rows(summary)
    table = Table(title="Sweep summary")
    for column in rows.columns:
        table.add_column(column, overflow="fold")
    for row in rows.itertuples(index=False):
        table.add_row(*row)
    console = wide_console()
    console.print(table)
    if summary["identical"].any():
        console.print(IDENTICAL_NOTE)
