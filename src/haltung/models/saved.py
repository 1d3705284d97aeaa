"""The saved-model folder: an MLflow pyfunc folder whose data holds haltung's payload.

    model/
      MLmodel                  MLflow's description (flavour python_function)
      data/haltung/
        haltung.json           labels, task, model name, format
        estimator.joblib       the fitted scikit-learn estimator

The folder loads with `mlflow.pyfunc.load_model(path)`, and with `StanceClassifier.load(path)`
without importing MLflow.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from haltung.errors import ModelLoadError
from haltung.models.predict import aligned_proba

log = logging.getLogger(__name__)
PAYLOAD_NAME = "haltung"
META_FILE = "haltung.json"
PICKLE_FILE = "estimator.joblib"
FORMAT_VERSION = 1
#: What `quantize` may be: int8 (transformers; scikit-learn models ignore it) or full precision.
QUANTIZE_CHOICES = (None, "", "none", "fp32", "int8")


@dataclass
class LoadedModel:
    """A fitted estimator with its task labels and metadata."""

    estimator: Any
    labels: list[str]
    meta: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return aligned_proba(self.estimator, frame, self.labels)


def write_payload(
    estimator: Any, labels: Sequence[str], folder: Path, meta: dict[str, Any] | None = None
) -> Path:
    """Write the estimator and its metadata into `folder/haltung/`; return that path.

    Estimators with their own `save(folder)` (transformers) write themselves; every other
    scikit-learn estimator is stored with joblib.
    """
    import joblib

    payload = Path(folder) / PAYLOAD_NAME
    payload.mkdir(parents=True, exist_ok=True)
    kind = type(estimator)
    if hasattr(estimator, "save") and hasattr(kind, "load"):
        estimator_format = f"{kind.__module__}:{kind.__qualname__}"
        if estimator_format not in LOADERS:
            raise ModelLoadError(f"{estimator_format} is not a saved-model format haltung knows.")
        estimator.save(payload)
    else:
        joblib.dump(estimator, payload / PICKLE_FILE)
        estimator_format = "joblib"
    info = {
        "format_version": FORMAT_VERSION,
        "estimator_format": estimator_format,
        "labels": list(labels),
        **(meta or {}),
    }
    (payload / META_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2), "utf-8")
    return payload


def read_payload(payload: Path, quantize: str | None = None) -> LoadedModel:
    """Load a payload folder written by `write_payload`.

    `quantize="int8"` asks transformer models for dynamic int8 quantisation; scikit-learn
    models have nothing to quantise and ignore it.
    """
    if quantize not in QUANTIZE_CHOICES:
        raise ModelLoadError(f"quantize must be int8 or none, not '{quantize}'.")
    meta_path = payload / META_FILE
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        labels = _labels(meta, meta_path)
        estimator = _load_estimator(payload, meta.get("estimator_format", "joblib"), quantize)
    except ModelLoadError:
        raise
    except FileNotFoundError as err:
        raise ModelLoadError(
            f"{payload} is not a haltung model: {Path(err.filename).name} is missing."
        ) from None
    except Exception as err:  # unpickling can fail in many ways; all mean the same to the user
        raise ModelLoadError(
            f"{payload}: the saved model cannot be read ({type(err).__name__}: {err}). It may be "
            "damaged, or saved with other versions of haltung or scikit-learn."
        ) from None
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ModelLoadError(
            f"{payload} was saved by a newer haltung (format {meta['format_version']}); "
            "upgrade haltung."
        )
    unknown = [str(c) for c in getattr(estimator, "classes_", []) if str(c) not in labels]
    if unknown:
        raise ModelLoadError(
            f"{meta_path} does not match its model: the model predicts {', '.join(unknown)}, "
            f"which its labels ({', '.join(labels)}) lack. The folder may be damaged."
        )
    return LoadedModel(estimator=estimator, labels=labels, meta=meta)


def _labels(meta: Any, meta_path: Path) -> list[str]:
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise ModelLoadError(
            f"{meta_path} names no labels (a list of strings); the model folder is damaged."
        )
    return labels


def _load_joblib(payload: Path, quantize: str | None) -> Any:
    import joblib

    if quantize == "int8":
        log.warning("quantize=%s has no effect on a scikit-learn model", quantize)
    return joblib.load(payload / PICKLE_FILE)


def _load_transformer(payload: Path, quantize: str | None) -> Any:
    try:
        from haltung.models.transformer import TransformerClassifier
    except ImportError as err:
        raise ModelLoadError(
            f"{payload} holds a transformer model, which needs the `bert` extra "
            f"(`pip install torch==2.13.0` then `pip install 'haltung[bert]'`): {err}"
        ) from None
    return TransformerClassifier.load(payload, quantize=quantize)


# The saved-model formats, by the `estimator_format` that haltung.json names.
LOADERS: dict[str, Callable[[Path, str | None], Any]] = {
    "joblib": _load_joblib,
    "haltung.models.transformer:TransformerClassifier": _load_transformer,
}


def _load_estimator(payload: Path, estimator_format: str, quantize: str | None) -> Any:
    loader = LOADERS.get(estimator_format)
    if loader is None:
        raise ModelLoadError(
            f"{payload}: unknown estimator format '{estimator_format}' (known: "
            f"{', '.join(LOADERS)}); it may be from a newer haltung."
        )
    return loader(payload, quantize)


def payload_dir(model_dir: Path) -> Path:
    """The payload folder of a model folder, as its MLmodel file names it."""
    model_dir = Path(model_dir)
    mlmodel = model_dir / "MLmodel"
    if not mlmodel.is_file():
        if (model_dir / META_FILE).is_file():  # the payload folder itself
            return model_dir
        raise ModelLoadError(
            f"{model_dir} is not a model folder: it has no MLmodel file. Pass the `model` folder "
            "of a run (experiments/outputs/…/model) or an MLflow model URI (runs:/<id>/model)."
        )
    try:
        spec = yaml.safe_load(mlmodel.read_text("utf-8"))
        data = spec["flavors"]["python_function"]["data"]
    except (yaml.YAMLError, KeyError, TypeError) as err:
        raise ModelLoadError(f"{mlmodel} does not describe a haltung model ({err}).") from None
    return model_dir / data


def load_model_dir(model_dir: Path, quantize: str | None = None) -> LoadedModel:
    """Load a model folder (or its payload folder) from disk."""
    return read_payload(payload_dir(model_dir), quantize)
