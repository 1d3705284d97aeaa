"""Int8 inference: smoothing keeps fp32 results, the ONNX model is built once and agrees."""

from __future__ import annotations

import collections
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


@pytest.mark.parametrize(
    "parts", [("value",), ("pooler",), ("layernorm",), ("gelu",), int8.SMOOTHING_PARTS]
)
def test_smoothing_leaves_the_fp32_model_unchanged(fitted, frame, parts):
    batch = fitted._collate(fitted._encode(frame.head(8)), torch.device("cpu"))
    before_state = {k: v.clone() for k, v in fitted.model_.state_dict().items()}
    smooth = int8.smoothed(fitted.model_, fitted.activation_ranges_, parts=parts)
    assert any(  # the scales went somewhere
        k not in before_state or not torch.equal(v, before_state[k])
        for k, v in smooth.state_dict().items()
    )
    assert all(torch.equal(v, before_state[k]) for k, v in fitted.model_.state_dict().items())
    with torch.inference_mode():
        before = fitted.model_(**batch).logits
        after = smooth(**batch).logits
    assert torch.allclose(before, after, atol=1e-4)


def _ops(path) -> collections.Counter:
    import onnx

    return collections.Counter(node.op_type for node in onnx.load(str(path)).graph.node)


def test_folded_smoothing_adds_no_operation_to_the_graph(fitted, frame, tmp_path):
    """value and pooler scales live in V's weights and the last LayerNorm: the same ONNX graph,
    the same fp32 logits, and an int8 graph with exactly the Mul nodes of unsmoothed int8."""
    import onnxruntime as ort

    ranges, folded = fitted.activation_ranges_, ("value", "pooler")
    batch = fitted._collate(fitted._encode(frame.head(8)), torch.device("cpu"))
    example = {k: v[:1] for k, v in batch.items()}
    smooth = int8.smoothed(fitted.model_, ranges, parts=folded)
    assert not any(isinstance(m, int8.ScaledInput) for m in smooth.modules())
    plain_fp32 = int8.export_onnx(fitted.model_, example, tmp_path / "plain.onnx")
    folded_fp32 = int8.export_onnx(smooth, example, tmp_path / "folded.onnx")
    assert _ops(folded_fp32) == _ops(plain_fp32)
    assert not fitted.model_.training  # export put it back in eval mode, not train mode
    session = ort.InferenceSession(str(folded_fp32), providers=["CPUExecutionProvider"])
    feed = {k: v.numpy() for k, v in batch.items()}
    with torch.inference_mode():
        expected = fitted.model_(**batch).logits.numpy()
    assert np.allclose(session.run(None, feed)[0], expected, atol=1e-4)

    plain = int8.export_int8(fitted.model_, example, tmp_path / "plain-int8.onnx", None)
    quantised = int8.export_int8(
        fitted.model_, example, tmp_path / "folded-int8.onnx", ranges, parts=folded
    )
    assert _ops(quantised) == _ops(plain)
    assert _ops(quantised)["DynamicQuantizeLinear"] > 0


def test_shipped_int8_graph_has_a_mul_only_where_smoothing_cannot_fold(fitted, frame, tmp_path):
    ranges = fitted.activation_ranges_
    batch = fitted._collate(fitted._encode(frame.head(1)), torch.device("cpu"))
    plain = _ops(int8.export_int8(fitted.model_, batch, tmp_path / "plain.onnx", None))
    shipped = _ops(int8.export_int8(fitted.model_, batch, tmp_path / "shipped.onnx", ranges))
    layers = fitted.model_.config.num_hidden_layers
    unfoldable = {"layernorm": 2, "gelu": 1}  # Muls per layer
    added = sum(unfoldable.get(part, 0) for part in int8.SMOOTHING) * layers
    assert shipped["Mul"] - plain["Mul"] == added
    # Q, K and V still read one quantised input, as without smoothing
    assert shipped["DynamicQuantizeLinear"] == plain["DynamicQuantizeLinear"]


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
