"""Model folders saved by an earlier haltung still load and predict the same."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from haltung import StanceClassifier
from haltung.errors import ModelLoadError
from haltung.models.saved import LOADERS, load_model_dir

SAVED = Path(__file__).parent / "fixtures" / "saved-2026-12-04"
EXPECTED = json.loads((SAVED / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", ["tfidf_logreg", "tiny"])
def test_folder_saved_before_the_redesign_predicts_the_same(name):
    if name == "tiny":
        pytest.importorskip("torch")
    classifier = StanceClassifier.load(SAVED / name)
    proba = classifier.predict_proba(EXPECTED["texts"], EXPECTED["actors"])
    assert list(proba.columns) == EXPECTED[name]["labels"]
    np.testing.assert_allclose(proba.to_numpy(), EXPECTED[name]["proba"], atol=1e-5)


def test_old_folder_loads_through_mlflow_pyfunc():
    """The saved MLmodel names `loader_module: haltung.tracking.pyfunc`: it must still import."""
    model = mlflow.pyfunc.load_model(str(SAVED / "tfidf_logreg"))
    frame = pd.DataFrame({"text": EXPECTED["texts"], "actor": EXPECTED["actors"]})
    out = model.predict(frame)
    assert list(out["predicted"]) == [
        EXPECTED["tfidf_logreg"]["labels"][int(np.argmax(p))]
        for p in EXPECTED["tfidf_logreg"]["proba"]
    ]


def test_saved_formats_are_an_explicit_registry(tmp_path):
    assert set(LOADERS) == {"joblib", "haltung.models.transformer:TransformerClassifier"}
    payload = tmp_path / "payload"
    payload.mkdir()
    (payload / "haltung.json").write_text(
        json.dumps({"format_version": 1, "estimator_format": "os:system", "labels": ["a", "b"]})
    )
    with pytest.raises(ModelLoadError, match="unknown estimator format 'os:system'"):
        load_model_dir(payload)


def test_a_transformer_saved_with_a_dropped_setting_still_loads(tmp_path: Path):
    """Models saved before a training knob was removed (me5 runs of 2026-12-04 carry
    `tune_bias`) predict as before: settings the estimator no longer has are ignored."""
    import shutil

    pytest.importorskip("torch")
    folder = tmp_path / "tiny"
    shutil.copytree(SAVED / "tiny", folder)
    settings = folder / "data" / "haltung" / "haltung-estimator.json"
    info = json.loads(settings.read_text("utf-8"))
    info["params"]["tune_bias"] = False
    settings.write_text(json.dumps(info), "utf-8")
    proba = StanceClassifier.load(folder).predict_proba(EXPECTED["texts"], EXPECTED["actors"])
    np.testing.assert_allclose(proba.to_numpy(), EXPECTED["tiny"]["proba"], atol=1e-5)
