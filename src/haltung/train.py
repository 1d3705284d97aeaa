"""`haltung-train`: compose → load → split → fit → evaluate → log. Any Hydra override works:

haltung-train model=tfidf_svm seed=3
haltung-train -m model=tfidf_logreg,tfidf_svm seed=1,2,3
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.errors import CompactHydraException
from omegaconf import DictConfig

from haltung.config import config_dir
from haltung.data import Dataset, Fold, make_folds, make_splits
from haltung.data.corpora import CORPUS, load_data, load_test_set
from haltung.errors import ConfigError, HaltungError
from haltung.evaluation import Evaluation, evaluate, mean_sd
from haltung.models import build_estimator
from haltung.models.inputs import input_frame
from haltung.models.predict import aligned_proba, labels_from_proba
from haltung.task import Task

log = logging.getLogger("haltung.train")


class JobFailed(CompactHydraException):
    """A user-facing error: Hydra prints its message without a traceback."""


@dataclass
class TrainResult:
    """What a training run produced."""

    run_id: str
    evaluation: Evaluation
    model_uri: str
    model_dir: Path
    seconds: float
    extra: dict[str, Evaluation] = field(default_factory=dict)  # scores on extra test sets


def train(cfg: DictConfig, output_dir: Path, overrides: list[str] | None = None) -> TrainResult:
    """Run one experiment: everything is checked before the MLflow run starts."""
    from haltung.tracking.run import git_state, log_config, log_evaluation, tracked_run
    from haltung.tracking.store import artifact_location, connect, tracking_uri
    from haltung.tracking.sweep import (
        OVERRIDES_TAG,
        PARENT_ENV,
        PRIMARY_TAG,
        SCORING_TAG,
        experiment_overrides,
        run_label,
    )

    started = time.perf_counter()
    overrides = list(overrides or [])
    output_dir.mkdir(parents=True, exist_ok=True)
    task = Task.from_config(cfg.task)
    dataset = load_data(cfg.data, task.labels)
    trained_on = set(dataset.frame[CORPUS])
    test_sets = {  # the test splits of the other corpora the task knows (None: not here)
        name: load_test_set(spec, task.labels)
        for name, spec in (cfg.task.get("test_sets") or {}).items()
        if name not in trained_on
    }
    folds = _partition(dataset, cfg.split)
    build_estimator(cfg.model)  # a config error surfaces now, not inside the run
    uri = tracking_uri(cfg.tracking, cfg.paths.experiments_dir)
    experiment_id = connect(
        uri,
        cfg.tracking.experiment_name,
        artifact_location(cfg.tracking, cfg.paths.experiments_dir),
    )
    headline = f"{cfg.evaluation.eval_split}_{task.primary_metric}"
    scoring = {  # what a sweep needs to compare runs on each test set
        "metric": task.primary_metric,
        "labels": list(task.labels),
        "averaged": list(task.averaged_labels),
        "test_sets": [n for n in cfg.task.get("test_sets") or {} if test_sets.get(n, True)],
    }
    tags = {
        "task": task.name,
        "model": str(cfg.model.name),
        "data": dataset.name,
        "split": folds[0].name if len(folds) == 1 else f"kfold{len(folds)}",
        OVERRIDES_TAG: json.dumps(experiment_overrides(overrides), ensure_ascii=False),
        PRIMARY_TAG: headline,
        SCORING_TAG: json.dumps(scoring),
        **git_state(Path(cfg.paths.root)),
        **_data_tags(dataset),
        **{f"data_sha256.{name}": _sha(s) for name, s in test_sets.items() if s is not None},
    }
    run_name = cfg.tracking.run_name or run_label(overrides, str(cfg.model.name))
    log.info(
        "Data %s: %d records, %d documents",
        dataset.name,
        len(dataset.frame),
        dataset.frame["doc_id"].nunique(),
    )
    with tracked_run(experiment_id, run_name, tags, os.environ.get(PARENT_ENV)) as run:
        log_config(cfg, overrides)
        if len(folds) == 1:
            evaluation, predictions, estimator = _fit_holdout(
                cfg, task, dataset, folds[0], output_dir
            )
        else:
            evaluation, predictions, estimator = _fit_cross_validated(
                cfg, task, dataset, folds, output_dir
            )
        log_evaluation(evaluation, cfg.evaluation.eval_split, output_dir)
        _log_predictions(predictions, output_dir / "predictions.csv")
        extra = _score_test_sets(
            cfg, task, estimator, predictions, test_sets, dataset, folds, output_dir
        )
        model_dir, model_uri = _save_model(
            cfg, task, dataset, estimator, output_dir, run.info.run_id
        )
        import mlflow

        mlflow.log_metric("train_seconds", time.perf_counter() - started)
    result = TrainResult(
        run.info.run_id, evaluation, model_uri, model_dir, time.perf_counter() - started, extra
    )
    _report(result, uri)
    return result


def _score_test_sets(
    cfg: DictConfig,
    task: Task,
    estimator,
    predictions: pd.DataFrame,
    test_sets: dict[str, Dataset | None],
    dataset: Dataset,
    folds: list[Fold],
    output_dir: Path,
) -> dict[str, Evaluation]:
    """Score the test split of every corpus the task knows, each as its own metric group.

    A training corpus is scored on its own rows of the run's test predictions; every other
    corpus is predicted here, leaving out any record (same id and sentence) trained on.
    """
    from haltung.tracking.run import log_evaluation

    trained = dataset.frame.iloc[np.concatenate([f.train for f in folds])]
    seen = set(zip(trained["id"], trained["text"], strict=True))
    scored: dict[str, Evaluation] = {}
    for name in cfg.task.get("test_sets") or {}:
        if name in test_sets:
            if test_sets[name] is None:
                continue
            frame = test_sets[name].frame
            unseen = pd.Series(
                [key not in seen for key in zip(frame["id"], frame["text"], strict=True)]
            )
            if not unseen.all():
                log.warning(
                    "%s: %d test records were training records; left out",
                    name,
                    int((~unseen).sum()),
                )
                frame = frame[unseen].reset_index(drop=True)
            proba = aligned_proba(estimator, input_frame(frame), task.labels)
            part = _predictions(frame, np.arange(len(frame)), proba, task)
        else:
            part = predictions[predictions["corpus"] == name].reset_index(drop=True)
        if part.empty:
            continue
        scored[name] = _score(cfg, task, part["gold"], part[list(task.labels)].to_numpy())
        log_evaluation(scored[name], name, output_dir)
        _log_predictions(part, output_dir / f"predictions_{name}.csv")
    return scored


def _partition(dataset: Dataset, split_cfg: DictConfig) -> list[Fold]:
    if split_cfg.method == "kfold":
        return make_folds(dataset.frame, split_cfg.n_folds, seed=split_cfg.seed)
    return [
        make_splits(
            dataset.frame, split_cfg.method, split_cfg.test_size, split_cfg.dev_size, split_cfg.seed
        )
    ]


def _fit_predict(cfg: DictConfig, task: Task, frame: pd.DataFrame, fold: Fold):
    """Fit a fresh estimator on the fold's training rows; return it and a scoring function.

    Estimators that take them get the dev split (`eval_set`, for early stopping) and a callback
    that logs each epoch's numbers to MLflow as step metrics (learning curves).
    """
    estimator = build_estimator(cfg.model)
    train = frame.iloc[fold.train]
    log.info("Fitting %s on %d records", cfg.model.name, len(train))
    accepted = inspect.signature(estimator.fit).parameters
    extra = {}
    if "eval_set" in accepted and len(fold.dev):
        dev = frame.iloc[fold.dev]
        extra["eval_set"] = (input_frame(dev), dev["label"].tolist())
    if "on_epoch_end" in accepted:
        extra["on_epoch_end"] = _log_epoch(fold)
    try:
        estimator.fit(input_frame(train), train["label"], **extra)
    except ValueError as err:  # scikit-learn's invalid settings, or data it cannot use
        raise ConfigError(f"model '{cfg.model.name}' could not be fitted: {err}") from err

    def proba(rows: np.ndarray) -> np.ndarray:
        return aligned_proba(estimator, input_frame(frame.iloc[rows]), task.labels)

    return estimator, proba


def _log_epoch(fold: Fold):
    import mlflow

    prefix = "" if fold.name in ("fixed", "grouped", "all") else f"{fold.name}_"

    def log_epoch(epoch: int, numbers: dict[str, float]) -> None:
        mlflow.log_metrics({f"{prefix}epoch_{k}": v for k, v in numbers.items()}, step=epoch)

    return log_epoch


def _score(cfg: DictConfig, task: Task, gold, proba: np.ndarray) -> Evaluation:
    return evaluate(
        list(gold),
        labels_from_proba(proba, task.labels),
        task,
        bootstrap_samples=cfg.evaluation.bootstrap_samples,
        confidence=cfg.evaluation.confidence,
        seed=cfg.seed,
    )


def _fit_holdout(cfg, task, dataset, fold, output_dir):
    """Train on train; score dev (if any) and test; the test split is the headline."""
    import mlflow

    from haltung.tracking.run import log_evaluation

    frame = dataset.frame
    mlflow.log_metrics({f"rows_{k}": float(v) for k, v in fold.sizes().items()})
    estimator, proba = _fit_predict(cfg, task, frame, fold)
    if len(fold.dev) and cfg.evaluation.eval_split != "dev":
        log_evaluation(
            _score(cfg, task, frame["label"].iloc[fold.dev], proba(fold.dev)), "dev", output_dir
        )
    rows = fold.dev if cfg.evaluation.eval_split == "dev" else fold.test
    if len(rows) == 0:
        raise HaltungError(
            f"The {cfg.evaluation.eval_split} split is empty: nothing to evaluate on."
        )
    p = proba(rows)
    return (
        _score(cfg, task, frame["label"].iloc[rows], p),
        _predictions(frame, rows, p, task),
        estimator,
    )


def _fit_cross_validated(cfg, task, dataset, folds, output_dir):
    """k folds: per-fold scores (mean ± sd) and pooled out-of-fold predictions; refit on all."""
    import mlflow
    from rich.progress import track

    frame = dataset.frame
    fold_scores, parts = [], []
    for k, fold in enumerate(track(folds, description="cross-validation"), start=1):
        _, proba = _fit_predict(cfg, task, frame, fold)
        p = proba(fold.test)
        evaluation = _score(cfg, task, frame["label"].iloc[fold.test], p)
        mlflow.log_metric(f"fold_{task.primary_metric}", evaluation.primary, step=k)
        fold_scores.append(evaluation.metrics)
        parts.append(_predictions(frame, fold.test, p, task).assign(fold=k))
    for name in fold_scores[0]:
        mean, sd = mean_sd([s[name] for s in fold_scores])
        mlflow.log_metrics({f"cv_{name}_mean": mean, f"cv_{name}_sd": sd})
    predictions = pd.concat(parts, ignore_index=True)
    pooled = _score(cfg, task, predictions["gold"], predictions[list(task.labels)].to_numpy())
    everything = Fold(
        "all", np.arange(len(frame)), np.array([], dtype=int), np.array([], dtype=int)
    )
    estimator, _ = _fit_predict(cfg, task, frame, everything)
    return pooled, predictions, estimator


def _predictions(
    frame: pd.DataFrame, rows: np.ndarray, proba: np.ndarray, task: Task
) -> pd.DataFrame:
    part = frame.iloc[rows]
    out = pd.DataFrame(
        {
            "id": part["id"].to_numpy(),
            "doc_id": part["doc_id"].to_numpy(),
            "text": part["text"].to_numpy(),
            "actor": part["actor"].to_numpy(),
            "corpus": part[CORPUS].to_numpy() if CORPUS in part else "",
            "gold": part["label"].to_numpy(),
            "predicted": labels_from_proba(proba, task.labels),
        }
    )
    return pd.concat([out, pd.DataFrame(proba, columns=list(task.labels)).round(6)], axis=1)


def _save_model(cfg, task, dataset, estimator, output_dir: Path, run_id: str) -> tuple[Path, str]:
    """Save the model folder under the run's output folder and log it to MLflow."""
    from haltung.tracking.pyfunc import ARTIFACT_NAME, log_model_folder, save_model_folder

    example = input_frame(dataset.frame.head(3)).reset_index(drop=True)
    meta = {"task": task.name, "model": str(cfg.model.name), "data": dataset.name, "run_id": run_id}
    model_dir = save_model_folder(estimator, task.labels, output_dir / "model", example, meta)
    if not cfg.tracking.log_model:
        return model_dir, str(model_dir)
    log_model_folder(model_dir, task.labels, example)
    return model_dir, f"runs:/{run_id}/{ARTIFACT_NAME}"


def _log_predictions(predictions: pd.DataFrame, path: Path) -> None:
    import mlflow

    predictions.to_csv(path, index=False)
    mlflow.log_artifact(str(path))


def _sha(dataset: Dataset) -> str:
    return ",".join(dataset.files.values())


def _data_tags(dataset: Dataset) -> dict[str, str]:
    if len(dataset.files) == 1:
        return {"data_sha256": next(iter(dataset.files.values()))}
    return {f"data_sha256.{Path(p).name}": h for p, h in dataset.files.items()}


def _report(result: TrainResult, uri: str) -> None:
    from rich.console import Console

    console = Console(soft_wrap=True)
    console.print(
        f"[bold]{result.evaluation.headline()}[/bold]  (n={int(result.evaluation.metrics['n'])})"
    )
    for name, evaluation in result.extra.items():
        console.print(f"{name}: {evaluation.headline()}  (n={int(evaluation.metrics['n'])})")
    console.print(f"model URI:    {result.model_uri}")
    console.print(f"model folder: {result.model_dir}")
    console.print(f"run {result.run_id} in {uri}  ({result.seconds:.1f} s)")


@hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")
def _app(cfg: DictConfig) -> float:
    hydra_cfg = HydraConfig.get()
    try:
        result = train(cfg, Path(hydra_cfg.runtime.output_dir), list(hydra_cfg.overrides.task))
    except HaltungError as err:
        raise JobFailed(str(err)) from None
    return result.evaluation.primary


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM ends the run like Ctrl-C: the MLflow run is marked KILLED, not left RUNNING."""
    raise KeyboardInterrupt(f"terminated by signal {signum}")


def main() -> None:
    """Console entry point of `haltung-train`."""
    signal.signal(signal.SIGTERM, _terminate)
    _app()


if __name__ == "__main__":
    main()
