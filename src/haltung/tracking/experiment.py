"""An experiment's run in MLflow: its tags, the outcome's metrics and files, the model.

    with experiment_run(plan, store, overrides) as run_id:
        outcome = harness.run(plan, on_epoch_end=log_epoch)
        model_dir, model_uri = log_outcome(outcome, folder)

Everything `haltung-train` writes to MLflow is written here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import mlflow
import mlflow.data
import pandas as pd
from mlflow.data.dataset_source import DatasetSource
from mlflow.exceptions import MlflowException

from haltung.data import Dataset, Fold
from haltung.errors import TrackingError
from haltung.evaluation import Evaluation
from haltung.evaluation.plots import ConfusionFigure, draw_in_background
from haltung.harness import Outcome, Plan
from haltung.models.inputs import input_frame
from haltung.tracking.compare import SCORING_TAG
from haltung.tracking.pyfunc import ARTIFACT_NAME, log_model_folder, save_model_folder
from haltung.tracking.run import git_state, log_config, tracked_run
from haltung.tracking.store import Store, connect, publish_runs_view, shared_write
from haltung.tracking.sweep import (
    NOTE_TAG,
    OVERRIDES_TAG,
    PARENT_ENV,
    PRIMARY_TAG,
    SWEEP_KEYS_ENV,
    experiment_overrides,
    run_label,
)

SINGLE_FOLDS = ("fixed", "grouped", "all")  # fold names whose epoch metrics need no prefix
SPLITS = ("train", "dev", "test")  # a held-out split's parts, logged as dataset contexts


@contextmanager
def experiment_run(plan: Plan, store: Store, overrides: Sequence[str]) -> Iterator[str]:
    """Open the run (nested under a sweep's parent, if any) with its tags and config."""
    cfg = plan.cfg
    experiment_id = connect(store, cfg.tracking.experiment_name)
    parent = os.environ.get(PARENT_ENV)
    varying = json.loads(os.environ.get(SWEEP_KEYS_ENV, "[]")) if parent else []
    name = cfg.tracking.run_name or run_label(list(overrides), str(cfg.model.name), varying)
    tags = run_tags(plan, overrides)
    try:
        with tracked_run(experiment_id, name, tags, parent) as run:
            log_config(cfg, overrides)
            log_datasets(plan)
            publish_runs_view(experiment_id, _headline_metrics(plan))
            yield run.info.run_id
    except MlflowException as err:  # the store failed mid-run (e.g. locked by another process)
        reason = str(err.message).splitlines()[0]
        raise TrackingError(
            f"The MLflow store {store.uri} could not be written during run {run.info.run_id}: "
            f"{reason}. The run was marked FAILED as soon as the store allowed it; if another "
            "process holds the store, wait for it, and `haltung runs clean` marks runs left "
            "RUNNING."
        ) from None


def run_tags(plan: Plan, overrides: Sequence[str]) -> dict[str, str]:
    """What identifies a run: task, model, data (with hashes), split, overrides, scoring, git."""
    cfg, task, dataset = plan.cfg, plan.task, plan.dataset
    scoring = {  # what a sweep needs to compare its runs on each test set
        "metric": task.primary_metric,
        "labels": list(task.labels),
        "averaged": list(task.averaged_labels),
        "test_sets": plan.scored_test_sets,
    }
    return {
        "task": task.name,
        "model": str(cfg.model.name),
        "data": dataset.name,
        "split": plan.split_name,
        OVERRIDES_TAG: json.dumps(experiment_overrides(list(overrides)), ensure_ascii=False),
        PRIMARY_TAG: f"{cfg.evaluation.eval_split}_{task.primary_metric}",
        SCORING_TAG: json.dumps(scoring),
        **git_state(Path(cfg.paths.root)),
        **_data_tags(dataset),
        **{
            f"data_sha256.{name}": ",".join(s.files.values())
            for name, s in plan.test_sets.items()
            if s is not None
        },
    }


def log_datasets(plan: Plan) -> None:
    """The run's data as MLflow dataset inputs: the train / dev / test rows of the training data
    (k-fold: all of it, as train) and each test set, named by its corpus.

    Only the name, digest, source path, schema and row count go to the store, not the rows.
    The digest is 8 hex digits of the files' SHA-256, then 8 of the rows' ids.
    """
    dataset, fold = plan.dataset, plan.folds[0]
    if len(plan.folds) == 1:
        parts = [(c, getattr(fold, c)) for c in SPLITS]
        inputs = [(dataset, ctx, dataset.frame.iloc[rows]) for ctx, rows in parts if len(rows)]
    else:
        inputs = [(dataset, "train", dataset.frame)]
    inputs += [(s, name, s.frame) for name, s in plan.test_sets.items() if s is not None]
    datasets, contexts = [], []
    for data, context, frame in inputs:
        datasets.append(
            mlflow.data.from_pandas(
                frame.reset_index(drop=True),
                source=_source(list(data.files)),
                name=data.name,
                digest=_digest(data, frame),
                targets="label",
            )
        )
        contexts.append(context)
    shared_write(  # MLflow gets-or-creates each dataset of the experiment
        mlflow.get_tracking_uri(),
        lambda: mlflow.log_inputs(
            datasets=datasets, contexts=contexts, tags_list=[None] * len(contexts)
        ),
    )


def run_description(outcome: Outcome) -> str:
    """The run's headline first (what the runs table's Description column shows), then one
    line per test set; 3 decimals."""
    plan = outcome.plan
    split, evaluation = plan.cfg.evaluation.eval_split, outcome.evaluation
    headline = f"{split} {_scored(evaluation)}; {plan.cfg.model.name} on {plan.dataset.name}"
    if outcome.folds:
        mean, sd = outcome.fold_summary[plan.task.primary_metric]
        headline += f" (pooled out-of-fold; per fold {mean:.3f} ± {sd:.3f}, k={len(outcome.folds)})"
    lines = [headline, ""]
    lines += [f"- {name}: {_scored(s.evaluation)}" for name, s in outcome.test_sets.items()]
    if outcome.dev is not None:
        lines.append(f"- dev: {_scored(outcome.dev)}")
    return "\n".join(lines).rstrip() + "\n"


def log_epoch(fold: Fold, epoch: int, numbers: dict[str, float]) -> None:
    """One epoch's numbers as step metrics (learning curves), prefixed by the fold in k-fold."""
    prefix = "" if fold.name in SINGLE_FOLDS else f"{fold.name}_"
    mlflow.log_metrics({f"{prefix}epoch_{k}": v for k, v in numbers.items()}, step=epoch)


def log_outcome(outcome: Outcome, folder: Path) -> tuple[Path, str]:
    """Log scores, predictions and the model of the active run; return the model folder and URI.

    Files are written to `folder` (the Hydra output folder) and logged from there. The
    confusion matrices are drawn in a forked process meanwhile (`draw_in_background`).
    """
    task = outcome.plan.task
    scored = _scored_splits(outcome)
    figures = [
        ConfusionFigure(
            e.confusion,
            tuple(task.labels),
            folder / f"{prefix}_confusion_matrix.png",
            f"{prefix}: {e.headline()}",
        )
        for prefix, e in scored
    ]
    with draw_in_background(figures) as drawn:
        logged = _log_model(outcome, folder)
        # Logged after the model, the step-0 metrics are linked to it as they are written (MLflow
        # would otherwise read every metric's history back to link them).
        _log_scores(outcome, scored, folder)
        for path in drawn():
            mlflow.log_artifact(str(path))
    return logged


def _log_scores(outcome: Outcome, scored: list[tuple[str, Evaluation]], folder: Path) -> None:
    """Metrics, classification reports, predictions and the run's description."""
    plan, task = outcome.plan, outcome.plan.task
    metrics: dict[str, float] = {}
    if len(plan.folds) == 1:
        metrics |= {f"rows_{k}": float(v) for k, v in plan.folds[0].sizes().items()}
    for name, (mean, sd) in outcome.fold_summary.items():
        metrics |= {f"cv_{name}_mean": mean, f"cv_{name}_sd": sd}
    for prefix, evaluation in scored:
        metrics |= {f"{prefix}_{k}": v for k, v in evaluation.metrics.items()}
    mlflow.log_metrics(metrics)
    for k, evaluation in enumerate(outcome.folds, start=1):
        mlflow.log_metric(f"fold_{task.primary_metric}", evaluation.primary, step=k)
    for prefix, evaluation in scored:
        report = folder / f"{prefix}_classification_report.txt"
        report.write_text(evaluation.report, "utf-8")
        mlflow.log_artifact(str(report))
    _log_predictions(outcome.predictions, folder / "predictions.csv")
    for name, test_set in outcome.test_sets.items():
        _log_predictions(test_set.predictions, folder / f"predictions_{name}.csv")
    mlflow.set_tag(NOTE_TAG, run_description(outcome))


def _scored_splits(outcome: Outcome) -> list[tuple[str, Evaluation]]:
    """Each scored split by its metric prefix: dev (when not the headline), the headline split,
    then each test set."""
    dev = [("dev", outcome.dev)] if outcome.dev is not None else []
    headline = [(str(outcome.plan.cfg.evaluation.eval_split), outcome.evaluation)]
    return dev + headline + [(name, s.evaluation) for name, s in outcome.test_sets.items()]


def _log_model(outcome: Outcome, folder: Path) -> tuple[Path, str]:
    """Save the model folder under `folder/model`; log it to the run unless switched off."""
    plan = outcome.plan
    run_id = mlflow.active_run().info.run_id
    example = input_frame(plan.dataset.frame.head(3)).reset_index(drop=True)
    meta = {
        "task": plan.task.name,
        "model": str(plan.cfg.model.name),
        "data": plan.dataset.name,
        "run_id": run_id,
    }
    labels = plan.task.labels
    model_dir = save_model_folder(outcome.estimator, labels, folder / "model", example, meta)
    if not plan.cfg.tracking.log_model:
        return model_dir, str(model_dir)
    log_model_folder(model_dir)
    return model_dir, f"runs:/{run_id}/{ARTIFACT_NAME}"


def log_seconds(seconds: float) -> None:
    mlflow.log_metric("train_seconds", seconds)


def _log_predictions(predictions: pd.DataFrame, path: Path) -> None:
    predictions.to_csv(path, index=False)
    mlflow.log_artifact(str(path))


def _scored(evaluation) -> str:
    return f"{evaluation.headline()}, n={int(evaluation.metrics['n'])}"


def _headline_metrics(plan: Plan) -> list[str]:
    """The headline metric, then each test set's primary metric."""
    metric = plan.task.primary_metric
    tests = [f"{name}_{metric}" for name in plan.scored_test_sets]
    return [f"{plan.cfg.evaluation.eval_split}_{metric}", *tests]


def _source(paths: list[str]) -> DatasetSource:
    from mlflow.data.dataset_source_registry import get_dataset_source_from_json

    where = paths[0] if len(paths) == 1 else os.path.commonpath(paths)
    return get_dataset_source_from_json(json.dumps({"uri": where}), source_type="local")


def _digest(dataset: Dataset, frame: pd.DataFrame) -> str:
    hashes = list(dataset.files.values())
    files = hashes[0] if len(hashes) == 1 else hashlib.sha256(",".join(hashes).encode()).hexdigest()
    rows = hashlib.sha256("\n".join(map(str, frame["id"])).encode()).hexdigest()
    return f"{files[:8]}-{rows[:8]}"


def _data_tags(dataset: Dataset) -> dict[str, str]:
    if len(dataset.files) == 1:
        return {"data_sha256": next(iter(dataset.files.values()))}
    return {f"data_sha256.{Path(p).name}": h for p, h in dataset.files.items()}
