"""Is one model better than another on the same test rows? A paired bootstrap test.

Both models' predictions are resampled together (the same rows in every sample), so the test
accounts for the rows they share. The p-value is two-sided: how often the resampled difference
lies at least as far from the observed one as the observed one lies from zero (the bootstrap
distribution shifted to the null, Efron & Tibshirani 1993, ch. 16).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from haltung.evaluation.metrics import coded, mean_f1, resampled_mean_f1


@dataclass(frozen=True)
class PairedTest:
    """The difference `a - b` of a mean F1, its percentile interval and the p-value."""

    a: float
    b: float
    delta: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int


def paired_bootstrap(
    gold: Sequence[str],
    pred_a: Sequence[str],
    pred_b: Sequence[str],
    labels: Sequence[str],
    averaged: Sequence[str],
    samples: int = 10_000,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedTest:
    """Paired bootstrap of the mean F1 over `averaged` (F_stance, macro-F1) of two predictions."""
    if not len(gold) == len(pred_a) == len(pred_b):
        raise ValueError("gold and both predictions must have one entry per row")
    (g, a, b), classes = coded(labels, averaged, gold, pred_a, pred_b)
    score_a = float(mean_f1(g[None, :], a[None, :], classes)[0])
    score_b = float(mean_f1(g[None, :], b[None, :], classes)[0])
    delta = score_a - score_b
    scores_a, scores_b = resampled_mean_f1(g, [a, b], classes, samples, seed)
    resampled = scores_a - scores_b
    alpha = (1 - confidence) / 2
    low, high = np.quantile(resampled, [alpha, 1 - alpha])
    p = float((np.abs(resampled - delta) >= abs(delta) - 1e-12).mean())
    return PairedTest(score_a, score_b, delta, float(low), float(high), p, len(g))


def compare_to_best(
    predictions: Mapping[str, pd.DataFrame],
    labels: Sequence[str],
    averaged: Sequence[str],
    samples: int = 10_000,
    seed: int = 0,
) -> pd.DataFrame:
    """The best of several prediction sets (`id`, `gold`, `predicted`) against each other one.

    All sets must cover the same rows (joined on `id`). One row per set: its score, and for the
    others the difference to the best with its interval and p-value.
    """
    names = list(predictions)
    first = predictions[names[0]].set_index("id")
    aligned = {}
    for name in names:
        frame = predictions[name].set_index("id")
        if set(frame.index) != set(first.index):
            raise ValueError(f"'{name}' was scored on other rows than '{names[0]}'")
        aligned[name] = frame.loc[first.index]
    gold = first["gold"].tolist()
    scores = {}
    for name in names:
        (g, p), classes = coded(labels, averaged, gold, aligned[name]["predicted"])
        scores[name] = float(mean_f1(g[None, :], p[None, :], classes)[0])
    best = max(scores, key=scores.get)
    rows = []
    for name in sorted(names, key=scores.get, reverse=True):
        row = {"name": name, "score": scores[name], "best": name == best}
        if name != best:
            test = paired_bootstrap(
                gold,
                aligned[best]["predicted"],
                aligned[name]["predicted"],
                labels,
                averaged,
                samples,
                seed=seed,
            )
            row |= {
                "delta_to_best": -test.delta,
                "delta_ci_low": -test.ci_high,
                "delta_ci_high": -test.ci_low,
                "p_value": test.p_value,
            }
        rows.append(row)
    return pd.DataFrame(rows)
