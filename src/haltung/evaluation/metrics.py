"""Accuracy, the task's primary metric (F_stance or macro-F1), per-class scores, intervals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    precision_recall_fscore_support,
)

from haltung.task import Task, mean_label_f1


@dataclass
class Evaluation:
    """Scores of one prediction set against gold labels."""

    task: Task
    metrics: dict[str, float]
    confusion: np.ndarray
    report: str
    confidence: float | None = 0.95  # of the primary metric's interval; None: no interval

    @property
    def primary(self) -> float:
        return self.metrics[self.task.primary_metric]

    @property
    def interval(self) -> tuple[float, float]:
        name = self.task.primary_metric
        return self.metrics[f"{name}_ci_low"], self.metrics[f"{name}_ci_high"]

    def headline(self) -> str:
        score = f"{self.task.primary_metric} = {self.primary:.3f}"
        if not self.confidence:
            return score
        low, high = self.interval
        return f"{score} ({self.confidence * 100:g}% CI {low:.3f}–{high:.3f})"


def evaluate(
    gold: Sequence[str],
    pred: Sequence[str],
    task: Task,
    bootstrap_samples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Evaluation:
    """Score `pred` against `gold`; the primary metric gets a bootstrap interval."""
    labels = list(task.labels)
    gold, pred = np.asarray(gold, dtype=object), np.asarray(pred, dtype=object)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=labels, zero_division=0
    )
    metrics: dict[str, float] = {
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": mean_label_f1(gold, pred, labels),
        "n": float(len(gold)),
    }
    metrics[task.primary_metric] = task.score(gold, pred)
    for j, label in enumerate(labels):
        metrics[f"precision_{label}"] = float(precision[j])
        metrics[f"recall_{label}"] = float(recall[j])
        metrics[f"f1_{label}"] = float(f1[j])
        metrics[f"support_{label}"] = float(support[j])
    low, high = bootstrap_interval(
        gold, pred, labels, task.averaged_labels, bootstrap_samples, confidence, seed
    )
    metrics[f"{task.primary_metric}_ci_low"] = low
    metrics[f"{task.primary_metric}_ci_high"] = high
    report = classification_report(gold, pred, labels=labels, zero_division=0, digits=3)
    return Evaluation(
        task=task,
        metrics=metrics,
        confusion=confusion_matrix(gold, pred, labels=labels),
        report=report,
        confidence=confidence if bootstrap_samples > 0 else None,
    )


def mean_f1(gold: np.ndarray, pred: np.ndarray, classes: Sequence[int]) -> np.ndarray:
    """Mean F1 over `classes` for each row of integer-coded `gold`/`pred` (shape samples x n).

    Matches scikit-learn's macro F1 with `zero_division=0`.
    """
    scores = []
    for c in classes:
        is_gold, is_pred = gold == c, pred == c
        tp = (is_gold & is_pred).sum(axis=1)
        denominator = is_gold.sum(axis=1) + is_pred.sum(axis=1)
        scores.append(np.divide(2 * tp, denominator, out=np.zeros(len(tp)), where=denominator > 0))
    return np.mean(scores, axis=0)


def bootstrap_interval(
    gold: Sequence[str],
    pred: Sequence[str],
    labels: Sequence[str],
    averaged: Sequence[str],
    samples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean F1 over `averaged`, resampling rows."""
    (g, p), classes = coded(labels, averaged, gold, pred)
    if samples <= 0 or len(g) == 0:
        point = float(mean_f1(g[None, :], p[None, :], classes)[0]) if len(g) else 0.0
        return point, point
    (scores,) = resampled_mean_f1(g, [p], classes, samples, seed)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(scores, [alpha, 1 - alpha])
    return float(low), float(high)


def coded(labels: Sequence[str], averaged: Sequence[str], *sequences: Sequence[str]):
    """Integer codes of label sequences (-1 for unknown labels) and of the averaged labels."""
    code = {label: i for i, label in enumerate(labels)}
    arrays = [np.array([code.get(x, -1) for x in seq]) for seq in sequences]
    return arrays, [code[label] for label in averaged]


def resampled_mean_f1(
    gold: np.ndarray, preds: Sequence[np.ndarray], classes: Sequence[int], samples: int, seed: int
) -> list[np.ndarray]:
    """Mean F1 of each integer-coded prediction on the same `samples` bootstrap resamples of
    the rows (paired when there are several)."""
    rng = np.random.default_rng(seed)
    scores: list[list[np.ndarray]] = [[] for _ in preds]
    for start in range(0, samples, 250):  # chunks keep memory flat on large test sets
        idx = rng.integers(0, len(gold), size=(min(250, samples - start), len(gold)))
        for out, pred in zip(scores, preds, strict=True):
            out.append(mean_f1(gold[idx], pred[idx], classes))
    return [np.concatenate(s) for s in scores]


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return float("nan"), float("nan")
    return float(arr.mean()), float(arr.std(ddof=1)) if arr.size > 1 else 0.0
