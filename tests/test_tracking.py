"""MLflow as a researcher reads it: the experiment's kind, dataset inputs, run descriptions,
the sweep leaderboard, run names, summaries, quiet downloads, and `haltung ui`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from mlflow import MlflowClient

from conftest import new_store, run_in_process, train_in_new_store
from haltung import StanceClassifier
from haltung.tracking.store import (
    KIND,
    KIND_TAG,
    VIEW_KEY,
    VIEW_TAG,
    Store,
    connect,
    runs_view_path,
)
from haltung.tracking.sweep import (
    IDENTICAL,
    LEADERBOARD,
    NOTE_TAG,
    _print,
    describe,
    run_label,
)

FIXTURE_TEST_SETS = {"haltung_news", "seed_article"}  # at least these; more when built


def experiment_runs(uri: str):
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name("test")
    return experiment, client.search_runs([experiment.experiment_id], max_results=100)


@pytest.fixture(scope="module")
def single(tmp_path_factory, empty_store):
    """One run of the fixture data, in a store of its own."""
    _, uri, _ = train_in_new_store(
        tmp_path_factory.mktemp("tracking"),
        empty_store,
        "data=fixture",
        "model=tfidf_nb",
        "evaluation.bootstrap_samples=50",
    )
    experiment, (run,) = experiment_runs(uri)
    return {"uri": uri, "experiment": experiment, "run": run}


def test_experiment_is_marked_for_model_training(single):
    assert single["experiment"].tags[KIND_TAG] == KIND == "custom_model_development"


def test_an_existing_experiment_without_a_kind_gets_one(tmp_path, empty_store):
    uri = new_store(empty_store, tmp_path)
    client = MlflowClient(uri)
    experiment_id = client.create_experiment("old")
    assert KIND_TAG not in client.get_experiment(experiment_id).tags
    assert connect(Store(uri, (tmp_path / "artifacts").as_uri()), "old") == experiment_id
    assert client.get_experiment(experiment_id).tags[KIND_TAG] == KIND


def test_runs_table_view_shows_the_primary_metric_first(single):
    view = json.loads(single["experiment"].tags[VIEW_TAG + VIEW_KEY])
    assert view["orderByKey"] == "metrics.`test_f_stance`" and view["orderByAsc"] is False
    assert "attributes.`Dataset`" in view["selectedColumns"]
    metrics = [c for c in view["selectedColumns"] if c.startswith("metrics.")]
    assert metrics[0] == "metrics.`test_f_stance`"
    assert {f"metrics.`{name}_f_stance`" for name in FIXTURE_TEST_SETS} <= set(metrics)


def test_datasets_are_logged_as_run_inputs(single):
    run = single["run"]
    inputs = {
        next(t.value for t in i.tags if t.key == "mlflow.data.context"): i.dataset
        for i in run.inputs.dataset_inputs
    }
    assert {"train", "dev", "test"} | FIXTURE_TEST_SETS <= set(inputs)
    sha = run.data.tags["data_sha256"]
    for context in ("train", "dev", "test"):
        dataset = inputs[context]
        assert dataset.name == "mini_stance"
        assert dataset.digest.startswith(sha[:8] + "-") and len(dataset.digest) == 17
        assert json.loads(dataset.source)["uri"].endswith("mini_stance.jsonl")
        assert json.loads(dataset.profile)["num_rows"] == run.data.metrics[f"rows_{context}"]
    assert len({inputs[c].digest for c in ("train", "dev", "test")}) == 3
    news = inputs["haltung_news"]
    assert news.name == "haltung_news"
    assert news.digest.startswith(run.data.tags["data_sha256.haltung_news"][:8])


def test_description_starts_with_the_headline(single):
    run = single["run"]
    note = run.data.tags[NOTE_TAG]
    metrics = run.data.metrics
    low, high = metrics["test_f_stance_ci_low"], metrics["test_f_stance_ci_high"]
    headline = (
        f"test f_stance = {metrics['test_f_stance']:.3f} (95% CI {low:.3f}–{high:.3f}), "
        f"n={int(metrics['test_n'])}; tfidf_nb on mini_stance"
    )
    assert note.startswith(headline)
    assert f"- haltung_news: f_stance = {metrics['haltung_news_f_stance']:.3f}" in note


def test_single_run_keeps_model_and_overrides_as_its_name(single):
    assert single["run"].info.run_name == "tfidf_nb data=fixture evaluation.bootstrap_samples=50"


def test_runs_uri_loads_without_progress_bars(single, capfd):
    run_id = single["run"].info.run_id
    StanceClassifier.load(f"runs:/{run_id}/model", tracking_uri=single["uri"])
    assert "Downloading artifacts" not in capfd.readouterr().err
    assert "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR" not in os.environ  # not left behind


def test_sweep_parent_holds_the_leaderboard_and_runs_say_what_varies(store):
    done = run_in_process(
        "haltung-train",
        "-m",
        *store["overrides"],
        "model=majority,tfidf_nb",
        "seed=1,2",
        "evaluation.bootstrap_samples=50",
    )
    assert done.returncode == 0, done.stderr
    _, all_runs = experiment_runs(store["uri"])
    (parent,) = [r for r in all_runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in all_runs if "mlflow.parentRunId" in r.data.tags]
    names = sorted(c.info.run_name.split(" data=")[0] for c in children)
    assert names == ["majority seed=1", "majority seed=2", "tfidf_nb seed=1", "tfidf_nb seed=2"]
    note = parent.data.tags[NOTE_TAG]
    assert note.startswith("Best: ")
    assert "| group | runs | test | haltung_news |" in note
    assert "| tfidf_nb | 2 |" in note and "| majority | 2 |" in note
    nb = [c.data.metrics["test_f_stance"] for c in children if c.data.tags["model"] == "tfidf_nb"]
    assert f"{sum(nb) / 2:.3f}" in note
    client = MlflowClient(store["uri"])
    artifacts = {a.path for a in client.list_artifacts(parent.info.run_id)}
    assert {LEADERBOARD, "sweep_summary.csv", "sweep_summary.md"} <= artifacts
    path = client.download_artifacts(parent.info.run_id, LEADERBOARD)
    table = json.loads(Path(path).read_text("utf-8"))
    board = pd.DataFrame(table["data"], columns=table["columns"])
    assert set(board["group"]) == {"majority", "tfidf_nb"}
    assert "test_f_stance" in board.columns
    summary = pd.read_csv(client.download_artifacts(parent.info.run_id, "sweep_summary.csv"))
    printed = done.stdout.split("Sweep summary", 1)[1]
    for text in {*summary["metric"], *summary["group"], *summary["best_run"]}:
        assert text in printed, text  # never cut at 80 columns
    assert "Downloading artifacts" not in done.stderr + done.stdout


def summary_rows(runs: int, identical: bool, sd: float) -> pd.DataFrame:
    rows = []
    for metric, mean in (("test_f_stance", 0.5), ("haltung_news_f_stance", 0.25)):
        rows.append(
            {
                "group": "model=a_rather_long_model_name_that_would_not_fit_into_eighty_columns",
                "metric": metric,
                "runs": runs,
                "mean": mean,
                "sd": sd,
                "identical": identical,
                "best": mean,
                "best_run": "a_rather_long_model_name seed=1",
                "best_run_id": "0" * 32,
                "best_run_name": "a_rather_long_model_name seed=1 data=fixture",
            }
        )
    return pd.DataFrame(rows)


def test_a_single_run_group_prints_just_its_value(capsys):
    summary = summary_rows(runs=1, identical=False, sd=0.0)
    _print(summary)
    out = capsys.readouterr().out
    assert "±" not in out and "0.500" in out
    assert "model=a_rather_long_model_name_that_would_not_fit_into_eighty_columns" in out
    assert "±" not in describe(summary, "model=x")


def test_a_group_of_identical_runs_says_so(capsys):
    summary = summary_rows(runs=3, identical=True, sd=0.0)
    _print(summary)
    out = capsys.readouterr().out
    assert f"0.500 {IDENTICAL}" in out and "0.000" not in out
    assert "the seed did not change the result" in out
    note = describe(summary, "model=x seed=1,2,3")
    assert f"0.500 {IDENTICAL}" in note and "the seed did not change the result" in note


def test_varying_groups_print_mean_and_sd_rounded(capsys):
    _print(summary_rows(runs=3, identical=False, sd=0.0123456))
    out = capsys.readouterr().out
    assert "0.500 ± 0.012" in out and "0.0123" not in out


def test_run_label_puts_what_varies_first():
    overrides = [
        *["data=fixture", "model=tfidf_nb", "seed=2", "paths.experiments_dir=/x"],
        *["model.blas_threads=2", "tracking.open_while_fitting=false", "hydra/launcher=joblib"],
    ]
    assert run_label(overrides, "tfidf_nb", ["model", "seed"]) == "tfidf_nb seed=2 data=fixture"
    assert run_label(overrides, "tfidf_nb", ["seed"]) == "seed=2 tfidf_nb data=fixture"
    assert run_label(overrides, "tfidf_nb") == "tfidf_nb data=fixture seed=2"


def test_ui_runs_mlflow_without_warnings_and_links_the_runs_view(single, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: calls.append((argv, env)))
    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    done = run_in_process("haltung", "ui", "--port", "5999", "--tracking-uri", single["uri"])
    assert done.returncode == 0, done.stderr
    assert "at http://127.0.0.1:5999" in done.stdout
    (argv, env), *_ = calls
    assert env["PYTHONWARNINGS"] == "ignore" and argv[2:4] == ["mlflow", "ui"]
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    run_in_process("haltung", "ui", "--port", "5999", "--tracking-uri", single["uri"])
    assert calls[-1][1]["PYTHONWARNINGS"] == "default"  # the user's choice stands
    experiment_id = single["experiment"].experiment_id
    assert runs_view_path(single["uri"], "test") == (
        f"#/experiments/{experiment_id}/runs?workflowType=machine_learning"
        f"&viewStateShareKey={VIEW_KEY}"
    )
    assert runs_view_path(single["uri"], "no such experiment") is None
