"""haltung-train end to end: a real Hydra app, a real SQLite MLflow store, read back.

Single runs go through the Hydra app in this process; sweeps and signals run the console
script in a subprocess, as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from conftest import run_in_process, run_script, runs, train_in_new_store
from haltung import StanceClassifier

MODEL_FILES = {"MLmodel", "data", "input_example.json", "requirements.txt"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory, empty_store):
    """One default run with overrides into a temporary store."""
    experiments, uri, done = train_in_new_store(
        tmp_path_factory.mktemp("e2e"),
        empty_store,
        "data=fixture",
        "model=tfidf_svm",
        "seed=3",
        "evaluation.bootstrap_samples=200",
    )
    (run,) = runs(uri)
    return {"uri": uri, "run": run, "stdout": done.stdout, "dir": experiments}


def test_run_logs_params_metrics_and_tags(trained):
    run = trained["run"]
    assert run.info.status == "FINISHED"
    params = run.data.params
    assert params["model.name"] == "tfidf_svm"
    assert params["seed"] == "3"
    assert params["task.primary_labels"] == '["supportive", "critical", "evasive"]'
    # test sets by name only, no analysis settings: params tell runs apart, config.yaml has all
    assert json.loads(params["task.test_sets"])[0] == "haltung_news"
    assert not [k for k in params if k.startswith(("task.test_sets.", "analyze."))]
    assert params["model.estimator.steps.clf.estimator.C"] == "0.5"
    metrics = run.data.metrics
    for name in (
        "test_f_stance",
        "test_f_stance_ci_low",
        "test_f_stance_ci_high",
        "test_macro_f1",
        "test_accuracy",
        "test_f1_evasive",
        "test_precision_critical",
        "test_recall_none",
        "dev_f_stance",
        "train_seconds",
        "rows_train",
    ):
        assert name in metrics, name
    assert (
        metrics["test_f_stance_ci_low"]
        <= metrics["test_f_stance"]
        <= metrics["test_f_stance_ci_high"]
    )
    tags = run.data.tags
    assert tags["task"] == "stance" and tags["model"] == "tfidf_svm"
    assert len(tags["data_sha256"]) == 64
    assert tags["git_commit"]
    assert run.info.run_name == "tfidf_svm data=fixture seed=3 evaluation.bootstrap_samples=200"


def test_run_logs_config_overrides_plots_predictions_and_model(trained):
    client = MlflowClient(trained["uri"])
    run_id = trained["run"].info.run_id
    names = {a.path for a in client.list_artifacts(run_id)}
    assert {
        "config.yaml",
        "overrides.yaml",
        "predictions.csv",
        "test_confusion_matrix.png",
        "test_classification_report.txt",
        "dev_confusion_matrix.png",
    } <= names
    local = Path(client.download_artifacts(run_id, "overrides.yaml"))
    assert "model=tfidf_svm" in local.read_text()
    predictions = pd.read_csv(client.download_artifacts(run_id, "predictions.csv"))
    assert list(predictions.columns[:7]) == [
        "id",
        "doc_id",
        "text",
        "actor",
        "corpus",
        "gold",
        "predicted",
    ]
    assert set(predictions["corpus"]) == {"mini_stance"}
    assert list(predictions.columns[7:]) == ["supportive", "critical", "evasive", "none"]
    assert len(predictions) == trained["run"].data.metrics["test_n"]
    png = Path(client.download_artifacts(run_id, "test_confusion_matrix.png"))
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_logged_model_loads_by_run_uri_model_uri_and_folder(trained):
    run_id = trained["run"].info.run_id
    mlflow.set_tracking_uri(trained["uri"])
    sentence = ["„Dazu äußern wir uns nicht“, sagte ein Sprecher des Konzerns."]
    pyfunc = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    assert pyfunc.metadata.get_input_schema().input_names() == ["text", "actor", "context"]
    out = pyfunc.predict(pd.DataFrame({"text": sentence, "actor": ["ein Sprecher"]}))
    with_context = pyfunc.predict(
        pd.DataFrame({"text": sentence, "actor": ["ein Sprecher"], "context": ["Warum?"]})
    )
    assert with_context["predicted"].tolist() == out["predicted"].tolist()  # no context input
    experiment = trained["run"].info.experiment_id
    (logged,) = mlflow.search_logged_models(experiment_ids=[experiment], output_format="list")
    by_run = StanceClassifier.load(f"runs:/{run_id}/model", tracking_uri=trained["uri"])
    by_id = StanceClassifier.load(f"models:/{logged.model_id}", tracking_uri=trained["uri"])
    folder = next(trained["dir"].glob("outputs/*/*/model"))
    assert {p.name for p in folder.iterdir()} >= MODEL_FILES
    by_folder = StanceClassifier.load(folder)
    expected = out["predicted"].tolist()
    for clf in (by_run, by_id, by_folder):
        assert clf.predict(sentence, ["ein Sprecher"]) == expected


def test_prints_metric_interval_and_model_uri(trained):
    run_id = trained["run"].info.run_id
    assert "f_stance = " in trained["stdout"] and "95% CI" in trained["stdout"]
    assert f"runs:/{run_id}/model" in trained["stdout"]


def test_unknown_run_is_a_clear_error(trained):
    with pytest.raises(Exception, match="Cannot load runs:/ffff"):
        StanceClassifier.load(
            "runs:/ffffffffffffffffffffffffffffffff/model", tracking_uri=trained["uri"]
        )


def test_sweep_groups_children_under_one_parent(store):
    done = run_in_process(
        "haltung-train",
        "-m",
        *store["overrides"],
        "model=majority,tfidf_nb",
        "seed=1,2",
        "evaluation.bootstrap_samples=100",
    )
    assert done.returncode == 0, done.stderr
    all_runs = runs(store["uri"])
    parents = [r for r in all_runs if "mlflow.parentRunId" not in r.data.tags]
    children = [r for r in all_runs if "mlflow.parentRunId" in r.data.tags]
    assert len(parents) == 1 and len(children) == 4
    parent = parents[0]
    assert {c.data.tags["mlflow.parentRunId"] for c in children} == {parent.info.run_id}
    assert all(r.info.status == "FINISHED" for r in all_runs)
    summary = pd.read_csv(
        MlflowClient(store["uri"]).download_artifacts(parent.info.run_id, "sweep_summary.csv")
    )
    assert set(summary["group"]) == {"majority", "tfidf_nb"} and (summary["runs"] == 2).all()
    nb = [c.data.metrics["test_f_stance"] for c in children if c.data.tags["model"] == "tfidf_nb"]
    assert parent.data.metrics["tfidf_nb/test_f_stance_mean"] == pytest.approx(sum(nb) / 2)
    best = max(children, key=lambda c: c.data.metrics["test_f_stance"])
    assert parent.data.tags["best_run_id"] == best.info.run_id
    # every test set the task knows is summarised, and the groups are compared on each
    assert {"test_f_stance", "haltung_news_f_stance", "seed_article_f_stance"} <= set(
        summary["metric"]
    )
    comparison = pd.read_csv(
        MlflowClient(store["uri"]).download_artifacts(parent.info.run_id, "sweep_comparison.csv")
    )
    seed = comparison[comparison["metric"] == "seed_article_f_stance"]
    assert set(seed["group"]) == {"majority", "tfidf_nb"} and seed["best"].sum() == 1
    assert seed.loc[~seed["best"], "p_value"].between(0, 1).all()
    assert "paired bootstrap" in done.stdout


def test_invalid_data_stops_before_any_run(store, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "doc_id": "d", "text": "Gut.", "label": "FAVOR"}\n', "utf-8")
    done = run_in_process("haltung-train", *store["overrides"], f"data.path={bad}")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert f"{bad}: line 1, field 'label': unknown label 'FAVOR'" in done.stderr
    assert runs(store["uri"]) == []


def test_failing_job_is_marked_failed_and_the_sweep_goes_on(store):
    done = run_script(  # the parent is closed by an exit hook: a process of its own
        "haltung-train",
        "-m",
        *store["overrides"],
        "model=tfidf_logreg",
        # 1000: valid, but leaves no words, so the fit fails; -1: refused before a run starts
        "model.estimator.steps.tfidf.min_df=1,1000,-1",
        "evaluation.bootstrap_samples=50",
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "could not be fitted" in done.stderr
    by_status = {}
    for r in runs(store["uri"]):
        by_status.setdefault(r.info.status, []).append(r)
    assert set(by_status) == {"FINISHED", "FAILED"}
    assert len(by_status["FINISHED"]) == 1 and len(by_status["FAILED"]) == 2  # child + parent
    failed_child = next(r for r in by_status["FAILED"] if "mlflow.parentRunId" in r.data.tags)
    assert "could not be fitted" in failed_child.data.tags["error"]
    parent = next(r for r in by_status["FAILED"] if "mlflow.parentRunId" not in r.data.tags)
    assert parent.data.tags["error"].startswith(
        "1 job(s) failed; see their runs; 1 job(s) stopped before their run began"
    )


def test_a_sweep_into_an_earlier_sweeps_folder_counts_only_its_own_jobs(store, tmp_path):
    """The earlier sweep's job folders are not jobs of this one that never logged a run."""
    sweep = [
        "-m",
        *store["overrides"],
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
        "model=majority",
        "~task.test_sets",
        "evaluation.bootstrap_samples=0",
    ]
    assert run_script("haltung-train", *sweep, "seed=1,2,3").returncode == 0
    assert run_script("haltung-train", *sweep, "seed=1").returncode == 0
    parents = [r for r in runs(store["uri"]) if "mlflow.parentRunId" not in r.data.tags]
    assert [p.info.status for p in parents] == ["FINISHED", "FINISHED"]
    assert not [p for p in parents if "error" in p.data.tags]


def test_kfold_and_sentiment_task(store):
    done = run_in_process(
        "haltung-train",
        *store["overrides"],
        "task=sentiment",
        "data=sentiment_fixture",
        "model=tfidf_char",
        "split=kfold",
        "split.n_folds=3",
        "evaluation.bootstrap_samples=50",
        "tracking.experiment_name=test",
    )
    assert done.returncode == 0, done.stderr
    (run,) = runs(store["uri"])
    metrics = run.data.metrics
    assert {"cv_macro_f1_mean", "cv_macro_f1_sd", "test_macro_f1", "test_f1_positive"} <= set(
        metrics
    )
    assert metrics["test_n"] == 45  # pooled out-of-fold predictions cover every record
    assert run.data.tags["split"] == "kfold3"


def test_unreachable_tracking_server(store):
    done = run_in_process("haltung-train", *store["overrides"], "tracking.uri=http://127.0.0.1:9")
    assert done.returncode != 0
    assert "cannot be reached" in done.stderr and "Traceback" not in done.stderr
