"""The paired bootstrap test and the comparison of several prediction sets on the same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from haltung.evaluation.significance import compare_to_best, paired_bootstrap

STANCE = ["supportive", "critical", "evasive", "none"]
PRIMARY = STANCE[:3]


def noisy(gold: np.ndarray, keep: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.where(rng.random(len(gold)) < keep, gold, rng.choice(STANCE, len(gold)))


@pytest.fixture(scope="module")
def gold() -> np.ndarray:
    return np.random.default_rng(0).choice(STANCE, 600)


def test_identical_predictions_do_not_differ(gold):
    pred = noisy(gold, 0.7, 1)
    test = paired_bootstrap(gold, pred, pred, STANCE, PRIMARY, samples=500)
    assert test.delta == 0 and test.p_value == 1.0 and test.ci_low == test.ci_high == 0


def test_a_clearly_better_model_is_significant_and_scores_match_sklearn(gold):
    good, bad = noisy(gold, 0.9, 1), noisy(gold, 0.4, 2)
    test = paired_bootstrap(gold, good, bad, STANCE, PRIMARY, samples=2000)
    assert test.a == pytest.approx(f1_score(gold, good, labels=PRIMARY, average="macro"))
    assert test.b == pytest.approx(f1_score(gold, bad, labels=PRIMARY, average="macro"))
    assert test.delta > 0.3 and test.p_value < 0.001 and test.ci_low > 0


def test_a_tiny_difference_is_not(gold):
    a, b = noisy(gold, 0.7, 3), noisy(gold, 0.7, 4)
    test = paired_bootstrap(gold, a, b, STANCE, PRIMARY, samples=2000)
    assert test.ci_low < test.delta < test.ci_high
    assert test.p_value > 0.05


def test_compare_to_best_orders_and_tests_every_other(gold):
    ids = [f"r{i}" for i in range(len(gold))]

    def frame(pred, order):
        out = pd.DataFrame({"id": ids, "gold": gold, "predicted": pred})
        return out.iloc[order].reset_index(drop=True)  # row order must not matter

    shuffled = np.random.default_rng(5).permutation(len(gold))
    table = compare_to_best(
        {
            "weak": frame(noisy(gold, 0.4, 2), np.arange(len(gold))),
            "strong": frame(noisy(gold, 0.9, 1), shuffled),
            "middle": frame(noisy(gold, 0.7, 3), np.arange(len(gold))),
        },
        STANCE,
        PRIMARY,
        samples=1000,
    )
    assert table["name"].tolist() == ["strong", "middle", "weak"]
    assert table["best"].tolist() == [True, False, False]
    assert (table["delta_to_best"].iloc[1:] < 0).all()
    assert (table["p_value"].iloc[1:] < 0.01).all()


def test_other_rows_cannot_be_compared(gold):
    a = pd.DataFrame({"id": ["1", "2"], "gold": ["none"] * 2, "predicted": ["none"] * 2})
    b = a.assign(id=["1", "3"])
    with pytest.raises(ValueError, match="other rows"):
        compare_to_best({"a": a, "b": b}, STANCE, PRIMARY)
