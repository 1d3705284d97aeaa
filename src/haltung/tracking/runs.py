"""Runs left RUNNING by a process that was killed (SIGKILL, a lost machine): find them and
mark them FAILED (`haltung runs clean`)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from haltung.errors import ConfigError, TrackingError
from haltung.tracking.store import Store, check_store

CLEAN_ERROR = "left RUNNING (process killed?); marked FAILED by haltung runs clean"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class StaleRun:
    """A run still RUNNING whose last sign of life is older than the bound."""

    run_id: str
    run_name: str
    experiment: str
    last_update: float  # seconds since the epoch


def parse_age(text: str) -> float:
    """`90s`, `30m`, `1h`, `2d` (or plain seconds) as seconds."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not found:
        raise ConfigError(f"Cannot read the age '{text}': write e.g. 90s, 30m, 1h or 2d.")
    return float(found[1]) * UNITS[found[2] or "s"]


def stale_runs(store: Store, older_than: float, experiment: str | None = None) -> list[StaleRun]:
    """Runs still RUNNING in the store (or one experiment of it) whose last update, their
    start or their latest metric, is more than `older_than` seconds ago."""
    from mlflow import MlflowClient

    check_store(store.uri, create=False)
    client = MlflowClient(store.uri)
    if experiment:
        found = client.get_experiment_by_name(experiment)
        if found is None:
            raise TrackingError(f"The MLflow store {store.uri} has no experiment '{experiment}'.")
        experiments = [found]
    else:
        experiments = client.search_experiments()
    names = {e.experiment_id: e.name for e in experiments}
    cutoff = time.time() - older_than
    stale, token = [], None
    while names:
        page = client.search_runs(
            list(names),
            filter_string="attributes.status = 'RUNNING'",
            max_results=1000,
            page_token=token,
        )
        for run in page:
            last = _last_update(client, run) / 1000
            if last <= cutoff:
                name = run.info.run_name or ""
                stale.append(StaleRun(run.info.run_id, name, names[run.info.experiment_id], last))
        token = page.token
        if not token:
            break
    return stale


def _last_update(client, run) -> int:
    """The latest timestamp (ms) the store holds for a run: its start or a metric."""
    times = [run.info.start_time or 0]
    for key in run.data.metrics:
        history = client.get_metric_history(run.info.run_id, key)
        times += [m.timestamp for m in history]
    return max(times)


def mark_failed(store: Store, runs: list[StaleRun]) -> None:
    """End each run FAILED with the `error` tag saying why."""
    from mlflow import MlflowClient

    client = MlflowClient(store.uri)
    for run in runs:
        client.set_tag(run.run_id, "error", CLEAN_ERROR)
        client.set_terminated(run.run_id, status="FAILED")
