"""Settings and paths are checked before a run exists: one message, no traceback, no run."""

from __future__ import annotations

import shutil

import pytest
from mlflow import MlflowClient

from conftest import ROOT, run_in_process


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["seed=abc"], "seed='abc' must be a whole number"),
        (["seed=${oops}"], "seed cannot be resolved: Interpolation key 'oops' not found"),
        (["evaluation.confidence=2"], "evaluation.confidence=2 must lie in (0.0, 1.0)"),
        (["evaluation.eval_split=nonsense"], "must be one of dev, test"),
        (["evaluation.bootstrap_samples=-5"], "evaluation.bootstrap_samples=-5 must be at least 0"),
        (["split=kfold", "split.n_folds=1"], "split.n_folds=1 must be at least 2"),
        (["model.estimator.steps.clf.C=-1"], "The 'C' parameter of LogisticRegression"),
    ],
)
def test_bad_settings_stop_before_a_run(store, overrides, message):
    done = run_in_process("haltung-train", *store["overrides"], *overrides)
    assert done.returncode != 0
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    client = MlflowClient(store["uri"])
    experiment = client.get_experiment_by_name("test")
    assert experiment is None or not client.search_runs([experiment.experiment_id])


def test_validate_data_takes_paths_of_any_spelling(tmp_path):
    folder = tmp_path / "Grüße = a, b ${x}"
    folder.mkdir()
    path = folder / "Äußerungen=1,2.jsonl"
    shutil.copyfile(ROOT / "tests" / "fixtures" / "mini_stance.jsonl", path)
    done = run_in_process("haltung", "validate-data", str(path))
    assert done.returncode == 0, done.stderr
    assert "Äußerungen=1,2.jsonl" in done.stdout and "records: 124" in " ".join(done.stdout.split())
