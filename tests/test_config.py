"""Hydra composition: defaults, groups, overrides, and every model builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from haltung.config import compose, config_dir, project_root
from haltung.models import build_estimator
from haltung.task import Task

MODELS = sorted(p.stem for p in (config_dir() / "model").glob("*.yaml"))


def test_default_config_composes_with_absolute_paths():
    cfg = compose()
    assert cfg.task.name == "stance"
    assert cfg.model.name == "tfidf_logreg"
    assert cfg.data.name == "haltung_news"
    assert cfg.split.method == "auto"
    assert Path(cfg.paths.experiments_dir).is_absolute()
    assert Path(cfg.data.path).is_dir()
    assert Path(cfg.task.test_sets.seed_article.path).is_file()
    assert list(cfg.task.test_sets) == [
        "haltung_news",
        "haltung_real",
        "haltung_real_fragestunde",
        "haltung_real_news",
        "seed_article",
    ]
    assert Path(cfg.paths.root) == project_root()


def test_overrides_reach_nested_keys():
    cfg = compose(["model=tfidf_svm", "seed=3", "model.estimator.steps.clf.estimator.C=2.0"])
    assert cfg.model.name == "tfidf_svm"
    assert cfg.model.estimator.steps.clf.estimator.random_state == 3
    assert cfg.model.estimator.steps.clf.estimator.C == 2.0


def test_transformer_presets_share_the_bert_base():
    me5 = compose(["model=me5_small", "task=sentiment"]).model
    assert me5.estimator.pretrained == "me5-small" and me5.estimator.freeze_embeddings
    assert me5.estimator.eval_labels is None  # sentiment: early stopping on all labels
    bert = compose(["model=bert", "model.pretrained=/models/gbert"]).model
    assert bert.estimator.pretrained == "/models/gbert"
    assert bert.estimator.eval_labels == ["supportive", "critical", "evasive"]


def test_sentiment_task_and_nested_data_config():
    cfg = compose(["task=sentiment", "data=sentiment_fixture"])
    task = Task.from_config(cfg.task)
    assert task.labels == ("positive", "neutral", "negative")
    assert task.averaged_labels == task.labels
    assert cfg.data.columns.label == "annotation.polarity"
    assert cfg.tracking.experiment_name == "haltung-sentiment"


def test_stance_primary_metric_leaves_none_out():
    task = Task.from_config(compose().task)
    assert task.primary_metric == "f_stance"
    assert task.averaged_labels == ("supportive", "critical", "evasive")


@pytest.mark.parametrize("method", ["fixed", "grouped", "kfold"])
def test_split_group_selects_method(method):
    cfg = compose([f"split={method}"])
    assert cfg.split.method == method
    assert cfg.split.n_folds == 5


def test_experiment_baselines_defines_the_sweep():
    cfg = compose(["experiment=baselines"], return_hydra=True)
    params = cfg.hydra.sweeper.params
    assert set(params.model.split(",")) == {
        "majority",
        "tfidf_logreg",
        "tfidf_svm",
        "tfidf_nb",
        "tfidf_char",
    }
    assert params.seed == "1,2,3,4,5"


@pytest.mark.parametrize("model", MODELS)
def test_every_model_config_builds_a_fresh_estimator(model):
    cfg = compose([f"model={model}"])
    if "transformer" in cfg.model.estimator._target_:
        pytest.importorskip("torch")
    first, second = build_estimator(cfg.model), build_estimator(cfg.model)
    assert first is not second
    assert hasattr(first, "fit") and hasattr(first, "predict_proba")
    if hasattr(first, "steps"):  # scikit-learn baselines: the actor joins the text first
        assert first.steps[0][0] == "input"
    else:
        assert first.get_params()["seed"] == cfg.seed


def test_tracking_uri_follows_environment(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5999")
    assert compose().tracking.uri == "http://127.0.0.1:5999"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert OmegaConf.to_container(compose().tracking, resolve=True)["uri"] is None


def test_experiment_presets_compose():
    transfer = compose(["experiment=transfer"], return_hydra=True)
    params = transfer.hydra.sweeper.params
    assert params.data == "haltung_news,haltung_real,news_real"
    assert set(params.model.split(",")) >= {"tfidf_char", "tfidf_logreg", "embed_logreg"}
    sentiment = compose(["experiment=gerntsa_sentiment"])
    assert sentiment.task.name == "sentiment" and sentiment.data.name == "gerntsa"
    assert sentiment.split.method == "kfold" and sentiment.split.n_folds == 5
    assert not sentiment.task.get("test_sets")  # stance corpora are no sentiment test sets
    assert sentiment.data.columns.doc_id == "opinion_snippet"  # folds grouped by snippet


def test_the_slurm_launcher_preset_composes():
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="haltung[cluster]")
    cfg = compose(["hydra/launcher=slurm_gpu", "hydra.launcher.partition=gpu"], return_hydra=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert (launcher.gpus_per_node, launcher.partition, launcher.cpus_per_task) == (1, "gpu", 8)


@pytest.mark.parametrize("overrides", [[], ["paths.experiments_dir=/tmp/elsewhere"]])
def test_the_command_config_finds_the_store_and_analysis_of_the_training_config(
    overrides, monkeypatch
):
    """`haltung analyze|predict` compose conf/command.yaml: it must agree with config.yaml."""
    from haltung.config import COMMAND_CONFIG
    from haltung.tracking.store import resolve_store

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    full, command = compose(overrides), compose(overrides, config_name=COMMAND_CONFIG)
    assert resolve_store(command) == resolve_store(full)
    if not overrides:  # the default store, composed by resolve_store itself
        assert resolve_store() == resolve_store(full)
    assert OmegaConf.to_container(command.analyze) == OmegaConf.to_container(full.analyze)
    assert OmegaConf.to_container(command.paths, resolve=True) == OmegaConf.to_container(
        full.paths, resolve=True
    )
    OmegaConf.to_container(command, resolve=True)  # no key refers to the training config
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5999")
    assert (
        resolve_store(compose(overrides, config_name=COMMAND_CONFIG)).uri == "http://127.0.0.1:5999"
    )
