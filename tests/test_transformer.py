"""Transformers in the same harness, with a tiny random BERT built from the fixture (seconds)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from mlflow import MlflowClient  # noqa: E402

from conftest import run_in_process, runs  # noqa: E402
from haltung import StanceClassifier  # noqa: E402
from haltung.config import compose  # noqa: E402
from haltung.data import DataSpec, load_dataset  # noqa: E402
from haltung.errors import ModelLoadError  # noqa: E402
from haltung.models import build_estimator  # noqa: E402
from haltung.models.int8 import RANGES_FILE  # noqa: E402
from haltung.models.transformer import TransformerClassifier  # noqa: E402

STANCE = ("supportive", "critical", "evasive", "none")


@pytest.fixture(scope="module")
def records(stance_path):
    return load_dataset(DataSpec(path=stance_path), STANCE).frame


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """int8 models are cached here, not in the user's ~/.cache."""
    monkeypatch.setenv("HALTUNG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def tiny(**params) -> TransformerClassifier:
    estimator = build_estimator(compose(["model=tiny"]).model)
    return estimator.set_params(**params)


def test_tiny_bert_fits_with_early_stopping_and_saves_a_pretrained_folder(records, tmp_path):
    train, dev = records.iloc[:90], records.iloc[90:]
    epochs = []
    model = tiny(epochs=3, early_stopping_patience=1, freeze_embeddings=True)
    model.fit(
        train[["text", "actor"]],
        train["label"],
        eval_set=(dev, dev["label"].tolist()),
        on_epoch_end=lambda epoch, numbers: epochs.append((epoch, numbers)),
    )
    assert [e for e, _ in epochs] == list(range(1, len(epochs) + 1))
    assert all({"train_loss", "dev_score"} <= set(n) for _, n in epochs)
    assert not model.model_.base_model.embeddings.word_embeddings.weight.requires_grad
    assert 1 <= model.best_epoch_ <= len(epochs)
    proba = model.predict_proba(records[["text", "actor"]])
    assert proba.shape == (len(records), len(model.classes_))
    assert np.allclose(proba.sum(axis=1), 1, atol=1e-5)

    model.save(tmp_path)
    assert (tmp_path / "hf" / "config.json").is_file()
    config = json.loads((tmp_path / "hf" / "config.json").read_text())
    assert sorted(config["id2label"].values()) == sorted(model.classes_)
    again = TransformerClassifier.load(tmp_path)
    assert np.allclose(again.predict_proba(records[["text", "actor"]]), proba, atol=1e-5)
    assert (tmp_path / RANGES_FILE).is_file()


def test_actor_input_modes_change_the_model_input(records):
    rows = records[records["actor"] != ""].head(4)[["text", "actor"]]
    model = tiny(epochs=1).fit(records[["text", "actor"]], records["label"])
    pair = model._encode(rows)
    model.set_params(actor_input="none")
    alone = model._encode(rows)
    assert all(len(p["input_ids"]) > len(a["input_ids"]) for p, a in zip(pair, alone, strict=True))
    assert any(1 in p["token_type_ids"] for p in pair)  # the sentence is the second segment


def test_unreachable_hub_model_fails_fast_with_instructions(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = build_estimator(
        compose(["model=bert", "model.pretrained=no-such-org/no-such-model"]).model
    )
    frame = pd.DataFrame({"text": ["Ein Satz.", "Noch einer."], "actor": ["", ""]})
    with pytest.raises(ModelLoadError) as caught:
        model.fit(frame, ["none", "critical"])
    message = str(caught.value)
    assert "no-such-org/no-such-model" in message
    assert "model.pretrained=/path/to/folder" in message and "model=me5_small" in message


def test_haltung_train_tiny_logs_learning_curves_and_a_loadable_model(store):
    done = run_in_process(
        "haltung-train", *store["overrides"], "model=tiny", "evaluation.bootstrap_samples=50"
    )
    assert done.returncode == 0, done.stderr
    client = MlflowClient(store["uri"])
    (run,) = runs(store["uri"])
    assert run.info.status == "FINISHED"
    history = client.get_metric_history(run.info.run_id, "epoch_train_loss")
    assert [m.step for m in history] == [1, 2]
    assert "test_f_stance" in run.data.metrics
    assert run.data.params["model.estimator.pretrained"] == "haltung:tiny"
    for quantize in (None, "int8"):
        clf = StanceClassifier.load(
            f"runs:/{run.info.run_id}/model", tracking_uri=store["uri"], quantize=quantize
        )
        proba = clf.predict_proba(["„Kein Kommentar“, sagte der Sprecher."], ["der Sprecher"])
        assert list(proba.columns) == list(STANCE)
        assert proba.to_numpy().sum() == pytest.approx(1, abs=1e-4)
    predicted = run_in_process(
        "haltung",
        "predict",
        "--model",
        f"runs:/{run.info.run_id}/model",
        "--tracking-uri",
        store["uri"],
        "--quantize",
        "int8",
        "--format",
        "jsonl",
        stdin="„Kein Kommentar“, sagte der Sprecher.",
    )
    assert predicted.returncode == 0, predicted.stderr
    assert json.loads(predicted.stdout)["label"] in STANCE


def test_offline_bert_run_stops_before_training_with_a_clear_message(store):
    env_before = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        done = run_in_process("haltung-train", *store["overrides"], "model=bert")
    finally:
        if env_before is None:
            os.environ.pop("HF_HUB_OFFLINE")
        else:
            os.environ["HF_HUB_OFFLINE"] = env_before
    assert done.returncode != 0
    assert "deepset/gbert-base" in done.stderr and "Traceback" not in done.stderr
    assert all(r.info.status == "FAILED" for r in runs(store["uri"]))
