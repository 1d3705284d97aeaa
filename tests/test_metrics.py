"""F_stance, macro-F1, per-class scores and the bootstrap interval."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from haltung.evaluation import bootstrap_interval, evaluate, mean_sd
from haltung.evaluation.metrics import mean_f1
from haltung.task import Task

STANCE = Task(
    "stance",
    ("supportive", "critical", "evasive", "none"),
    "f_stance",
    ("supportive", "critical", "evasive"),
)


@pytest.fixture
def labels():
    rng = np.random.default_rng(0)
    gold = rng.choice(STANCE.labels, size=300).tolist()
    pred = [g if rng.random() < 0.6 else rng.choice(STANCE.labels) for g in gold]
    return gold, pred


def test_f_stance_is_the_mean_f1_of_the_stance_labels_over_all_rows(labels):
    gold, pred = labels
    result = evaluate(gold, pred, STANCE, bootstrap_samples=200)
    per_class = f1_score(gold, pred, labels=list(STANCE.labels), average=None)
    assert result.metrics["f_stance"] == pytest.approx(per_class[:3].mean())
    assert result.metrics["macro_f1"] == pytest.approx(per_class.mean())
    assert result.metrics["f1_none"] == pytest.approx(per_class[3])
    assert result.primary == result.metrics["f_stance"]
    assert result.confusion.shape == (4, 4) and result.confusion.sum() == 300
    assert "supportive" in result.report


def test_interval_brackets_the_point_estimate_and_narrows_with_more_data(labels):
    gold, pred = labels
    result = evaluate(gold, pred, STANCE, bootstrap_samples=500)
    low, high = result.interval
    assert low < result.primary < high
    big = evaluate(gold * 10, pred * 10, STANCE, bootstrap_samples=500)
    assert big.interval[1] - big.interval[0] < (high - low) / 2


def test_the_headline_names_the_interval_it_shows(labels):
    gold, pred = labels
    at_90 = evaluate(gold, pred, STANCE, bootstrap_samples=200, confidence=0.9)
    low, high = at_90.interval
    assert at_90.headline().endswith(f"(90% CI {low:.3f}–{high:.3f})")
    assert "(95% CI " in evaluate(gold, pred, STANCE, bootstrap_samples=200).headline()
    no_bootstrap = evaluate(gold, pred, STANCE, bootstrap_samples=0).headline()
    assert no_bootstrap == f"f_stance = {at_90.primary:.3f}"


def test_vectorised_f1_matches_scikit_learn(labels):
    gold, pred = labels
    code = {label: i for i, label in enumerate(STANCE.labels)}
    g = np.array([code[x] for x in gold])[None, :]
    p = np.array([code[x] for x in pred])[None, :]
    ours = mean_f1(g, p, [0, 1, 2])[0]
    theirs = f1_score(
        gold, pred, labels=list(STANCE.averaged_labels), average="macro", zero_division=0
    )
    assert ours == pytest.approx(theirs)


def test_absent_label_scores_zero_like_scikit_learn():
    gold, pred = ["none", "none", "critical"], ["none", "critical", "critical"]
    result = evaluate(gold, pred, STANCE, bootstrap_samples=50)
    assert result.metrics["f1_supportive"] == 0.0
    assert result.primary == pytest.approx((0 + 2 / 3 + 0) / 3)


def test_bootstrap_is_reproducible_per_seed(labels):
    gold, pred = labels
    args = (gold, pred, STANCE.labels, STANCE.averaged_labels, 300, 0.95)
    assert bootstrap_interval(*args, seed=1) == bootstrap_interval(*args, seed=1)
    assert bootstrap_interval(*args, seed=1) != bootstrap_interval(*args, seed=2)


def test_mean_sd():
    assert mean_sd([0.5]) == (0.5, 0.0)
    mean, sd = mean_sd([0.4, 0.6])
    assert mean == pytest.approx(0.5) and sd == pytest.approx(np.sqrt(0.02))
