"""A pipeline evaluation (`haltung evaluate-pipeline`) as an MLflow run."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import mlflow

from haltung.tracking.run import tracked_run
from haltung.tracking.store import Store, connect

EXPERIMENT = "haltung-pipeline"


def log_pipeline_run(store: Store, model: str, params: Mapping[str, str], results: dict) -> str:
    """Log each evaluated set's metrics and joined rows (`pipeline_<set>.csv`); return the run id.

    `results` maps a set's name to `{"metrics": {...}, "rows": DataFrame}`.
    """
    experiment = connect(store, EXPERIMENT)
    with tracked_run(experiment, f"pipeline {model}", {"model_uri": model}) as run:
        mlflow.log_params({"model": model, **params})
        with tempfile.TemporaryDirectory() as tmp:
            for name, result in results.items():
                mlflow.log_metrics({f"{name}_{k}": v for k, v in result["metrics"].items()})
                path = Path(tmp) / f"pipeline_{name}.csv"
                result["rows"].to_csv(path, index=False)
                mlflow.log_artifact(str(path))
    return run.info.run_id
