"""One experiment without tracking: load → split → fit → predict → score.

    plan = prepare(cfg)                  # every input checked; nothing started yet
    outcome = run(plan)                  # an Outcome: scores, predictions, the estimator
    with start(plan) as fitting:         # or: fit in a forked process, do other work meanwhile
        outcome = fitting.result()

`haltung-train` hands the outcome to tracking; tests and notebooks use it directly. Estimators
that take them get the dev split (`eval_set`) and `on_epoch_end(fold, epoch, numbers)`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from omegaconf import DictConfig
from threadpoolctl import threadpool_limits

from haltung.checks import check_estimator, check_run_config
from haltung.data import Dataset, Fold, make_folds, make_splits
from haltung.data.corpora import CORPUS, holds, load_data, load_test_set
from haltung.data.validation import data_warnings, missing_classes
from haltung.errors import ConfigError, HaltungError
from haltung.evaluation import Evaluation, evaluate, mean_sd
from haltung.forking import Child, in_child
from haltung.models import build_estimator
from haltung.models.inputs import input_frame
from haltung.models.predict import aligned_proba, labels_from_proba
from haltung.task import Task

log = logging.getLogger("haltung.train")

EpochCallback = Callable[[Fold, int, dict[str, float]], None]


@dataclass
class Plan:
    """What an experiment will run on, checked before anything starts."""

    cfg: DictConfig
    task: Task
    dataset: Dataset
    folds: list[Fold]
    test_sets: dict[str, Dataset | None]  # other corpora's test splits (None: sources missing)
    reports_epochs: bool = False  # the estimator's fit takes `on_epoch_end`

    @property
    def split_name(self) -> str:
        return self.folds[0].name if len(self.folds) == 1 else f"kfold{len(self.folds)}"

    @property
    def scored_test_sets(self) -> list[str]:
        """The task's test sets this run can score, in the task's order."""
        known = self.cfg.task.get("test_sets") or {}
        return [n for n in known if self.test_sets.get(n, True) is not None]


@dataclass
class Scored:
    """A test split's evaluation and its prediction rows."""

    evaluation: Evaluation
    predictions: pd.DataFrame


@dataclass
class Outcome:
    """What an experiment produced."""

    plan: Plan
    estimator: object
    evaluation: Evaluation  # on the headline split (evaluation.eval_split, or pooled folds)
    predictions: pd.DataFrame
    dev: Evaluation | None = None  # the dev split, when it is not the headline
    folds: list[Evaluation] = field(default_factory=list)  # per fold (cross-validation)
    test_sets: dict[str, Scored] = field(default_factory=dict)

    @property
    def fold_summary(self) -> dict[str, tuple[float, float]]:
        """Mean and standard deviation of each metric across folds."""
        if not self.folds:
            return {}
        return {
            name: mean_sd([f.metrics[name] for f in self.folds]) for name in self.folds[0].metrics
        }


def prepare(cfg: DictConfig) -> Plan:
    """Load and validate the data and the model config; a bad input fails here."""
    check_run_config(cfg)
    estimator = build_estimator(cfg.model)
    check_estimator(estimator, str(cfg.model.name))
    reports_epochs = "on_epoch_end" in inspect.signature(estimator.fit).parameters
    task = Task.from_config(cfg.task)
    known = cfg.task.get("test_sets") or {}
    dataset = load_data(cfg.data, task.labels, known)
    names = set(dataset.frame[CORPUS])
    test_sets = {  # a test set the training data holds is scored on the run's own test rows
        name: load_test_set(spec, task.labels)
        for name, spec in known.items()
        if name not in names or not holds(dataset, spec)
    }
    for warning in data_warnings(dataset.frame, uses_actors=task.uses_actors):
        log.warning("%s: %s", dataset.name, warning)
    folds = _partition(dataset, cfg.split)
    log.info(
        "Data %s: %d records, %d documents",
        dataset.name,
        len(dataset.frame),
        dataset.frame["doc_id"].nunique(),
    )
    plan = Plan(cfg, task, dataset, folds, test_sets, reports_epochs)
    for warning in _class_warnings(plan):
        log.warning("%s", warning)
    return plan


def _headline_rows(plan: Plan) -> np.ndarray:
    """The rows the headline scores: the held-out split (`evaluation.eval_split`), or all rows
    (cross-validation pools the folds' predictions)."""
    if len(plan.folds) > 1:
        return np.arange(len(plan.dataset.frame))
    fold = plan.folds[0]
    return fold.dev if plan.cfg.evaluation.eval_split == "dev" else fold.test


def _class_warnings(plan: Plan) -> list[str]:
    """Scored splits without rows of a class the primary metric averages (it is capped there)."""
    frame, task, eval_split = plan.dataset.frame, plan.task, plan.cfg.evaluation.eval_split
    headline = _headline_rows(plan)
    scored = f"the {eval_split} split" if len(plan.folds) == 1 else "the pooled folds"
    gold = {f"{scored} of {plan.dataset.name}": frame["label"].iloc[headline]}
    if len(plan.folds) == 1 and len(plan.folds[0].dev) and eval_split != "dev":
        gold[f"the dev split of {plan.dataset.name}"] = frame["label"].iloc[plan.folds[0].dev]
    seen = _trained_keys(plan)
    for name in plan.cfg.task.get("test_sets") or {}:
        if name not in plan.test_sets:  # scored on the run's own rows of that corpus
            rows = headline[(frame[CORPUS].iloc[headline] == name).to_numpy()]
            if len(rows) and len(rows) != len(headline):
                gold[f"the {eval_split} split of {name}"] = frame["label"].iloc[rows]
        elif plan.test_sets[name] is not None:
            corpus = _unseen(plan.test_sets[name].frame, seen)
            gold[f"the test split of {name}"] = corpus["label"]
    found = (
        missing_classes(labels, task.averaged_labels, task.primary_metric, where)
        for where, labels in gold.items()
    )
    return [warning for warning in found if warning]


def run(plan: Plan, *, on_epoch_end: EpochCallback | None = None) -> Outcome:
    """Fit and score: a held-out split, or k folds with a final refit on everything.

    `model.blas_threads` caps the BLAS thread pool meanwhile (null: the library's default).
    """
    with threadpool_limits(limits=plan.cfg.model.get("blas_threads"), user_api="blas"):
        if len(plan.folds) == 1:
            outcome = _holdout(plan, plan.folds[0], on_epoch_end)
        else:
            outcome = _cross_validated(plan, on_epoch_end)
        outcome.test_sets = _score_test_sets(plan, outcome)
    return outcome


class Fitting:
    """An experiment that may already be fitting in a forked process (see `start`)."""

    def __init__(self, plan: Plan, child: Child[Outcome] | None) -> None:
        self.plan = plan
        self._child = child

    @property
    def in_child(self) -> bool:
        return self._child is not None

    def result(self, *, on_epoch_end: EpochCallback | None = None) -> Outcome:
        """The outcome: the forked fit's, or `run(plan)` here and now (with `on_epoch_end`)."""
        if self._child is None:
            return run(self.plan, on_epoch_end=on_epoch_end)
        outcome = self._child.result()
        outcome.plan = self.plan
        return outcome


@contextmanager
def start(plan: Plan, *, fork: bool = True) -> Iterator[Fitting]:
    """Start fitting and scoring `plan` in a forked process, so that it runs beside the caller's
    own work (`haltung-train` opens its MLflow run meanwhile); leaving the block stops it.

    Fitted in this process when the result is asked for, instead: estimators that report
    epochs (`on_epoch_end`), so that each epoch is logged as it ends; models whose config says
    `fit_in_child: false` (any that runs torch: its thread pools are not fork-safe, and the
    saved model's requirements name what this process imported); everything where `fork` is
    false or the process cannot fork.
    """
    child = None
    if fork and plan.cfg.model.get("fit_in_child", True) and not plan.reports_epochs:
        child = in_child(lambda: _without_plan(run(plan)), name="haltung-fit")
    try:
        yield Fitting(plan, child)
    finally:
        if child is not None:
            child.stop()


def _without_plan(outcome: Outcome) -> Outcome:
    """What the forked fit sends back: the parent has the plan (and its data) already."""
    outcome.plan = None  # type: ignore[assignment]
    return outcome


def _partition(dataset: Dataset, split_cfg: DictConfig) -> list[Fold]:
    if split_cfg.method == "kfold":
        return make_folds(dataset.frame, split_cfg.n_folds, seed=split_cfg.seed)
    return [
        make_splits(
            dataset.frame, split_cfg.method, split_cfg.test_size, split_cfg.dev_size, split_cfg.seed
        )
    ]


def _fit(plan: Plan, fold: Fold, on_epoch_end: EpochCallback | None):
    """A fresh estimator fitted on the fold's training rows, and its probability function."""
    cfg, frame = plan.cfg, plan.dataset.frame
    estimator = build_estimator(cfg.model)
    train = frame.iloc[fold.train]
    log.info("Fitting %s on %d records", cfg.model.name, len(train))
    accepted = inspect.signature(estimator.fit).parameters
    extra = {}
    if "eval_set" in accepted and len(fold.dev):
        dev = frame.iloc[fold.dev]
        extra["eval_set"] = (input_frame(dev), dev["label"].tolist())
    if "on_epoch_end" in accepted and on_epoch_end is not None:
        extra["on_epoch_end"] = lambda epoch, numbers: on_epoch_end(fold, epoch, numbers)
    try:
        estimator.fit(input_frame(train), train["label"].to_numpy(), **extra)
    except ValueError as err:  # scikit-learn's invalid settings, or data it cannot use
        raise ConfigError(f"model '{cfg.model.name}' could not be fitted: {err}") from err

    def proba(rows: np.ndarray) -> np.ndarray:
        return aligned_proba(estimator, input_frame(frame.iloc[rows]), plan.task.labels)

    return estimator, proba


def _score(plan: Plan, gold, proba: np.ndarray) -> Evaluation:
    cfg = plan.cfg
    return evaluate(
        list(gold),
        labels_from_proba(proba, plan.task.labels),
        plan.task,
        bootstrap_samples=cfg.evaluation.bootstrap_samples,
        confidence=cfg.evaluation.confidence,
        seed=cfg.seed,
    )


def _holdout(plan: Plan, fold: Fold, on_epoch_end: EpochCallback | None) -> Outcome:
    """Train on train; score dev (if any) and test; `evaluation.eval_split` is the headline."""
    frame, eval_split = plan.dataset.frame, plan.cfg.evaluation.eval_split
    estimator, proba = _fit(plan, fold, on_epoch_end)
    dev = None
    if len(fold.dev) and eval_split != "dev":
        dev = _score(plan, frame["label"].iloc[fold.dev], proba(fold.dev))
    rows = fold.dev if eval_split == "dev" else fold.test
    if len(rows) == 0:
        raise HaltungError(f"The {eval_split} split is empty: nothing to evaluate on.")
    p = proba(rows)
    return Outcome(
        plan,
        estimator,
        _score(plan, frame["label"].iloc[rows], p),
        prediction_rows(frame, rows, p, plan.task),
        dev=dev,
    )


def _cross_validated(plan: Plan, on_epoch_end: EpochCallback | None) -> Outcome:
    """k folds: per-fold scores and pooled out-of-fold predictions; refit on all records."""
    from rich.progress import track

    frame, labels = plan.dataset.frame, list(plan.task.labels)
    scores, parts = [], []
    for k, fold in enumerate(track(plan.folds, description="cross-validation"), start=1):
        _, proba = _fit(plan, fold, on_epoch_end)
        p = proba(fold.test)
        scores.append(_score(plan, frame["label"].iloc[fold.test], p))
        parts.append(prediction_rows(frame, fold.test, p, plan.task).assign(fold=k))
    predictions = pd.concat(parts, ignore_index=True)
    pooled = _score(plan, predictions["gold"], predictions[labels].to_numpy())
    everything = Fold(
        "all", np.arange(len(frame)), np.array([], dtype=int), np.array([], dtype=int)
    )
    estimator, _ = _fit(plan, everything, on_epoch_end)
    return Outcome(plan, estimator, pooled, predictions, folds=scores)


def _score_test_sets(plan: Plan, outcome: Outcome) -> dict[str, Scored]:
    """Score the test split of every corpus the task knows, each on its own.

    A training corpus is scored on its own rows of the run's test predictions; every other
    corpus is predicted here, leaving out any record (same id and sentence) trained on.
    """
    labels = list(plan.task.labels)
    seen = _trained_keys(plan)
    scored: dict[str, Scored] = {}
    for name in plan.cfg.task.get("test_sets") or {}:
        if name in plan.test_sets:
            if plan.test_sets[name] is None:
                continue
            corpus = _unseen(plan.test_sets[name].frame, seen)
            left_out = len(plan.test_sets[name].frame) - len(corpus)
            if left_out:
                log.warning("%s: %d test records were training records; left out", name, left_out)
            proba = aligned_proba(outcome.estimator, input_frame(corpus), plan.task.labels)
            part = prediction_rows(corpus, np.arange(len(corpus)), proba, plan.task)
        else:
            part = outcome.predictions[outcome.predictions["corpus"] == name]
            part = part.reset_index(drop=True)
        if not part.empty:
            evaluation = _score(plan, part["gold"], part[labels].to_numpy())
            scored[name] = Scored(evaluation, part)
    return scored


def _trained_keys(plan: Plan) -> set[tuple[str, str]]:
    """(id, text) of every record some fold trains on."""
    trained = plan.dataset.frame.iloc[np.concatenate([f.train for f in plan.folds])]
    return set(zip(trained["id"], trained["text"], strict=True))


def _unseen(corpus: pd.DataFrame, seen: set[tuple[str, str]]) -> pd.DataFrame:
    """The records of `corpus` that no fold trained on (same id and sentence)."""
    keep = [key not in seen for key in zip(corpus["id"], corpus["text"], strict=True)]
    return corpus[keep].reset_index(drop=True)


def prediction_rows(
    frame: pd.DataFrame, rows: np.ndarray, proba: np.ndarray, task: Task
) -> pd.DataFrame:
    """One row per record: ids, text, actor, corpus, gold and predicted label, probabilities."""
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
