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
        (["model.actor_template='{actr} x {text}'"], "uses {actr}, which it cannot fill"),
        (["model.actor_template='no placeholders'"], "actor_template='no placeholders' needs"),
        (["model.actor_template='{actor'"], "is not a format string"),
        (["model.context_template='{input}'"], "context_template='{input}' needs {context}"),
        (["tracking.experiment_name="], "tracking.experiment_name must name an experiment"),
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


def test_jsonl_input_with_a_bad_line_is_named_not_read_as_text(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"text": "Wir lehnen das ab.", "actor": "A"}\nkein JSON\n', "utf-8")
    model = ROOT / "tests" / "fixtures" / "saved-2026-12-04" / "tfidf_logreg"
    done = run_in_process("haltung", "predict", "--model", str(model), str(path))
    assert done.returncode == 2
    assert f"{path}, line 2: not valid JSON" in done.stderr and not done.stdout


def test_invalid_training_data_says_nothing_was_trained(store, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "doc_id": "d", "text": "Gut.", "label": "FAVOR"}\n', "utf-8")
    done = run_in_process("haltung-train", *store["overrides"], f"data.path={bad}")
    assert done.returncode != 0 and "Nothing was trained." in done.stderr


def test_reading_commands_never_create_a_store(tmp_path):
    uri = f"sqlite:///{tmp_path / 'missing' / 'mlflow.db'}"
    for args in (
        ["predict", "--model", "runs:/abc/model", "--tracking-uri", uri],
        ["ui", "--tracking-uri", uri],
        ["runs", "clean", "--tracking-uri", uri],
    ):
        done = run_in_process("haltung", *args, stdin="Ein Satz.")
        assert done.returncode == 2, (args, done.stderr)
        assert "There is no MLflow store at" in done.stderr
    assert not (tmp_path / "missing").exists()
