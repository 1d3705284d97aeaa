"""Int8 inference: smoothing keeps fp32 results, the ONNX model is built once and agrees."""

from __future__ import annotations

import logging

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("onnxruntime")

from haltung.config import compose  # noqa: E402
from haltung.data import DataSpec, load_dataset  # noqa: E402
from haltung.errors import ConfigError, ModelLoadError  # noqa: E402
from haltung.models import build_estimator, int8  # noqa: E402
from haltung.models.transformer import TransformerClassifier  # noqa: E402

STANCE = ("supportive", "critical", "evasive", "none")


@pytest.fixture(scope="module")
def frame(stance_path):
    return load_dataset(DataSpec(path=stance_path), STANCE).frame[["text", "actor", "label"]]


@pytest.fixture(scope="module")
def fitted(frame):
    # enough epochs for confident predictions: the agreement test needs rows that are no near-tie
    estimator = build_estimator(compose(["model=tiny"]).model).set_params(epochs=12)
    return estimator.fit(frame[["text", "actor"]], frame["label"])


@pytest.fixture
def saved(fitted, tmp_path, monkeypatch):
    monkeypatch.setenv("HALTUNG_CACHE", str(tmp_path / "cache"))
    fitted.save(tmp_path / "model")
    return tmp_path / "model"


def test_fit_records_input_ranges_of_every_linear_layer(fitted):
    linears = {n: m for n, m in fitted.model_.named_modules() if isinstance(m, torch.nn.Linear)}
    assert set(fitted.activation_ranges_) == set(linears)
    for name, peak in fitted.activation_ranges_.items():
        assert peak.shape == (linears[name].in_features,)
        assert bool((peak >= 0).all()) and float(peak.max()) > 0


def test_smoothing_leaves_the_fp32_model_unchanged(fitted, frame):
    batch = fitted._collate(fitted._encode(frame.head(8)), torch.device("cpu"))
    smooth = int8.smoothed(fitted.model_, fitted.activation_ranges_)
    assert any(isinstance(m, int8.SmoothedLinear) for m in smooth.modules())
    assert not any(isinstance(m, int8.SmoothedLinear) for m in fitted.model_.modules())
    with torch.inference_mode():
        before = fitted.model_(**batch).logits
        after = smooth(**batch).logits
    assert torch.allclose(before, after, atol=1e-4)


def test_int8_model_is_built_once_cached_and_agrees_with_fp32(saved, frame, monkeypatch, caplog):
    rows = frame[["text", "actor"]]
    fp32 = TransformerClassifier.load(saved).predict_proba(rows)
    handlers = list(logging.getLogger().handlers)
    quantised = TransformerClassifier.load(saved, quantize="int8")
    assert logging.getLogger().handlers == handlers  # ONNX Runtime's chatter stays out
    assert "pre-processing" not in caplog.text
    assert quantised.model_ is None and isinstance(quantised.int8_, int8.OnnxRunner)
    assert quantised.int8_.path.is_relative_to(int8.int8_home())
    proba = quantised.predict_proba(rows)
    assert proba.shape == fp32.shape and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert np.abs(proba - fp32).max() < 0.05
    top2 = np.sort(fp32, axis=1)[:, -2:]
    confident = top2[:, 1] - top2[:, 0] > 0.1  # near-ties may flip under any rounding
    assert confident.sum() >= 20
    assert np.mean(proba[confident].argmax(1) == fp32[confident].argmax(1)) >= 0.95

    def must_not_export(*args, **kwargs):
        raise AssertionError("the cached int8 model should have been reused")

    monkeypatch.setattr(int8, "export_int8", must_not_export)
    again = TransformerClassifier.load(saved, quantize="int8")
    assert np.array_equal(again.predict_proba(rows), proba)


def test_int8_without_saved_ranges_warns_and_still_works(saved, frame, caplog):
    (saved / int8.RANGES_FILE).unlink()
    with caplog.at_level(logging.WARNING, logger="haltung"):
        model = TransformerClassifier.load(saved, quantize="int8")
    assert "no activation ranges" in caplog.text
    assert model.predict_proba(frame[["text", "actor"]].head(3)).shape == (3, 4)


def test_bad_quantize_value_and_saving_an_int8_model_are_clear_errors(saved, tmp_path):
    with pytest.raises(ConfigError, match="quantize must be int8 or none"):
        TransformerClassifier.load(saved, quantize="int4")
    quantised = TransformerClassifier.load(saved, quantize="int8")
    with pytest.raises(ConfigError, match="cannot be saved"):
        quantised.save(tmp_path / "again")


def test_cache_key_follows_weights_ranges_and_recipe(tmp_path, monkeypatch):
    weights, ranges = tmp_path / "model.safetensors", tmp_path / int8.RANGES_FILE
    weights.write_bytes(b"weights")
    key = int8.cache_key([weights, ranges])
    assert key == int8.cache_key([weights, ranges])
    ranges.write_bytes(b"ranges")
    assert int8.cache_key([weights, ranges]) != key
    monkeypatch.setattr(int8, "RECIPE", "another recipe")
    assert int8.cache_key([weights, ranges]) != key


def test_unwritable_cache_is_a_clear_error(saved, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("HALTUNG_CACHE", str(blocker))
    with pytest.raises(ModelLoadError, match="HALTUNG_CACHE to a writable folder"):
        TransformerClassifier.load(saved, quantize="int8")
