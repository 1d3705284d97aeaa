"""Probabilities in the task's label order, whatever classes a model saw in training."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def aligned_proba(estimator, frame: pd.DataFrame, labels: Sequence[str]) -> np.ndarray:
    """`predict_proba` with one column per task label (zeros for labels unseen in training)."""
    proba = np.asarray(estimator.predict_proba(frame), dtype=float)
    out = np.zeros((len(frame), len(labels)))
    position = {label: j for j, label in enumerate(labels)}
    for j, cls in enumerate(estimator.classes_):
        out[:, position[str(cls)]] = proba[:, j]
    return out


def labels_from_proba(proba: np.ndarray, labels: Sequence[str]) -> list[str]:
    """The most probable label of each row."""
    return [labels[j] for j in np.asarray(proba).argmax(axis=1)]
