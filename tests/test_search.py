"""Hyperparameter search: Hydra's Optuna sweeper over conf/hparams_search/ presets."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

from conftest import new_store, run_in_process, runs
from haltung.config import compose


def test_an_optuna_search_puts_its_best_trial_on_the_parent(tmp_path: Path, empty_store: Path):
    experiments = tmp_path / "experiments"
    uri = new_store(empty_store, experiments)
    sweep_dir = tmp_path / "multirun"
    done = run_in_process(
        "haltung-train",
        "-m",
        "hparams_search=tfidf_char",
        "hydra.sweeper.n_trials=3",
        "hydra.sweeper.sampler.n_startup_trials=2",
        f"hydra.sweep.dir={sweep_dir}",
        f"paths.experiments_dir={experiments}",
        "tracking.experiment_name=test",
        "data=fixture",
        "~task.test_sets",
        "evaluation.bootstrap_samples=50",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = yaml.safe_load((sweep_dir / "optimization_results.yaml").read_text())
    found = runs(uri)
    (parent,) = [r for r in found if "mlflow.parentRunId" not in r.data.tags]
    trials = [r for r in found if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert len(trials) == 3 and {t.info.status for t in trials} == {"FINISHED"}
    assert parent.info.status == "FINISHED"
    best = {f"best.{k}": str(v) for k, v in results["best_params"].items()}
    assert {k: v for k, v in parent.data.params.items() if k.startswith("best.")} == best
    # the pick is the trial with the best dev score (the objective), not the best test score
    chosen = next(t for t in trials if t.info.run_id == parent.data.tags["best_run_id"])
    assert chosen.data.metrics["dev_f_stance"] == pytest.approx(results["best_value"])
    assert results["best_value"] == max(t.data.metrics["dev_f_stance"] for t in trials)
    assert chosen.data.params["model.C"] == str(results["best_params"]["model.C"])


def test_search_presets_compose_and_turn_real_knobs():
    for preset, knobs in {
        "tfidf_char": ["model.C", "model.word_max_n", "model.char_max_n", "model.min_df"],
        "me5_small": ["model.estimator.learning_rate", "model.estimator.epochs"],
    }.items():
        cfg = compose(overrides=[f"hparams_search={preset}"], return_hydra=True)
        assert cfg.evaluation.objective_split == "dev"
        assert cfg.hydra.sweeper.direction == "maximize"
        params = cfg.hydra.sweeper.params
        assert set(knobs) <= set(params)
        for knob in knobs:  # each knob exists in the model config it turns
            assert OmegaConf.select(cfg, knob) is not None, knob
