"""A hyperparameter search's result on its sweep parent run: the best parameters the sweeper
found (Hydra's Optuna sweeper writes `optimization_results.yaml`) and the trial that had them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import yaml

RESULTS_FILE = "optimization_results.yaml"
log = logging.getLogger(__name__)


def search_results(sweep_dir: str | Path) -> dict | None:
    """The sweeper's result file of a sweep (None when the sweeper writes none)."""
    path = Path(sweep_dir) / RESULTS_FILE
    if not path.is_file():
        return None
    found = yaml.safe_load(path.read_text("utf-8"))
    return found if isinstance(found, dict) and "best_params" in found else None


def publish_search(client: Any, run_id: str, results: dict) -> str | None:
    """Best parameters as the parent's `best.<key>` params, the best value as a metric, and the
    trial that had them as `best_run_id` (the pick on the objective split, e.g. dev, rather than
    the leaderboard's headline). Returns that trial's run id."""
    best = results["best_params"]
    client.log_batch(
        run_id, params=[_param(f"best.{key}", value) for key, value in sorted(best.items())]
    )
    if isinstance(results.get("best_value"), int | float):
        client.log_metric(run_id, "search_best_value", float(results["best_value"]))
    client.log_text(run_id, yaml.safe_dump(results, allow_unicode=True), RESULTS_FILE)
    parent = client.get_run(run_id)
    children = client.search_runs(
        [parent.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{run_id}' and attributes.status = 'FINISHED'",
        max_results=10_000,
    )
    trial = next((c for c in children if _matches(c.data.params, best)), None)
    if trial is None:
        log.warning("No finished trial of sweep %s has the best parameters %s", run_id, best)
        return None
    client.set_tag(run_id, "best_run_id", trial.info.run_id)
    client.set_tag(run_id, "best_run", f"{trial.info.run_name} (best of the search)")
    return trial.info.run_id


def _param(key: str, value: object):
    from mlflow.entities import Param

    return Param(key, str(value))


def _matches(params: dict[str, str], best: dict[str, object]) -> bool:
    """Whether a run's logged params hold every best value (numbers compared as numbers)."""
    for key, value in best.items():
        logged = params.get(key)
        if logged is None:
            return False
        if isinstance(value, bool) or not isinstance(value, int | float):
            if str(logged).lower() != str(value).lower():
                return False
            continue
        try:
            if abs(float(logged) - float(value)) > 1e-12 * max(1.0, abs(float(value))):
                return False
        except ValueError:
            return False
    return True
