"""The MLflow pyfunc face of a haltung model: save, log and load.

MLflow loads a haltung model folder through `_load_pyfunc` below (the folder's `loader_module`).
Its `predict` takes a frame with `text` and optional `actor` and `context` columns and returns
the predicted label and one probability column per label.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from haltung.errors import ModelLoadError, TrackingError
from haltung.models.inputs import as_input_frame
from haltung.models.predict import labels_from_proba
from haltung.models.saved import (
    META_FILE,
    LoadedModel,
    payload_dir,
    read_payload,
    write_payload,
)

ARTIFACT_NAME = "model"
log = logging.getLogger(__name__)


class PyfuncModel:
    """What `mlflow.pyfunc.load_model` wraps: frame in, labels and probabilities out."""

    def __init__(self, model: LoadedModel):
        self.model = model

    def predict(self, model_input: Any, params: dict | None = None) -> pd.DataFrame:
        frame = _as_frame(model_input)
        proba = self.model.predict_proba(frame)
        out = pd.DataFrame(proba, columns=self.model.labels, index=frame.index)
        out.insert(0, "predicted", labels_from_proba(proba, self.model.labels))
        return out


def _load_pyfunc(data_path: str) -> PyfuncModel:
    """MLflow's entry point for loading the model (see `loader_module` in MLmodel).

    Set HALTUNG_QUANTIZE=int8 to serve transformer models with int8 weights.
    """
    return PyfuncModel(read_payload(Path(data_path), os.environ.get("HALTUNG_QUANTIZE")))


def _as_frame(model_input: Any) -> pd.DataFrame:
    """A frame with `text` (and optional `actor`, `context`), a Series or a list of sentences,
    or one sentence; empty texts are refused as `StanceClassifier` refuses them."""
    if isinstance(model_input, str | pd.DataFrame | pd.Series):
        return as_input_frame(model_input)
    return as_input_frame(list(model_input))


def signature(labels: Sequence[str]):
    """Inputs: `text` (required), `actor` and `context` (optional); outputs: `predicted` and
    probabilities."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    inputs = Schema(
        [
            ColSpec("string", "text"),
            ColSpec("string", "actor", required=False),
            ColSpec("string", "context", required=False),
        ]
    )
    outputs = Schema(
        [ColSpec("string", "predicted"), *(ColSpec("double", label) for label in labels)]
    )
    return ModelSignature(inputs=inputs, outputs=outputs)


def _requirements() -> list[str]:
    import sys

    import joblib
    import mlflow
    import numpy
    import sklearn

    import haltung

    deep = [
        f"{name}=={sys.modules[name].__version__}"
        for name in ("torch", "transformers")
        if name in sys.modules
    ]
    return [
        *deep,
        f"haltung=={haltung.__version__}",
        f"mlflow=={mlflow.__version__}",
        f"scikit-learn=={sklearn.__version__}",
        f"pandas=={pd.__version__}",
        f"numpy=={numpy.__version__}",
        f"joblib=={joblib.__version__}",
    ]


def _model_kwargs(payload: Path, labels: Sequence[str], input_example: pd.DataFrame) -> dict:
    return {
        "loader_module": __name__,
        "data_path": str(payload),
        "signature": signature(labels),
        "input_example": input_example,
        "pip_requirements": _requirements(),
    }


def save_model_folder(
    estimator: Any,
    labels: Sequence[str],
    path: Path,
    input_example: pd.DataFrame,
    meta: dict | None = None,
) -> Path:
    """Save a fitted estimator as a model folder that loads without a tracking server.

    A folder already at `path` (an earlier run into the same output folder) is replaced once
    the new one is complete, so a failed save leaves the earlier model as it was.
    """
    import mlflow

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}-") as tmp:
        payload = write_payload(estimator, labels, Path(tmp) / "payload", meta)
        written = Path(tmp) / path.name
        mlflow.pyfunc.save_model(str(written), **_model_kwargs(payload, labels, input_example))
        if path.exists():
            if not _is_model_folder(path):
                raise TrackingError(
                    f"{path} exists and is not a haltung model folder: it is left as it is. "
                    "Choose another output folder (hydra.run.dir=…)."
                )
            log.warning("Replacing the model folder %s an earlier run left there", path)
            path.rename(Path(tmp) / "replaced")  # removed with `tmp`
        written.rename(path)
    return path


def _is_model_folder(path: Path) -> bool:
    try:
        return (payload_dir(path) / META_FILE).is_file()
    except ModelLoadError:
        return False


# What a saved folder's MLmodel says about the model itself; the rest (run, logged model id,
# artifact path, time) is the logged copy's own.
_DESCRIPTION = ("flavors", "signature", "saved_input_example_info", "metadata", "model_size_bytes")


class _SavedFolder:
    """An MLflow "flavor" whose `save_model` copies a folder `save_model_folder` wrote: the
    logged model is that folder, not a second serialisation of the estimator."""

    __name__ = "mlflow.pyfunc"  # the logged model's flavor, as `mlflow.pyfunc.log_model` names it

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def save_model(self, path: str, mlflow_model, **_: Any) -> None:
        from mlflow.models import Model

        shutil.copytree(self.folder, path)
        saved = Model.load(str(self.folder / "MLmodel"))
        for name in _DESCRIPTION:
            setattr(mlflow_model, name, getattr(saved, name))
        mlflow_model.save(str(Path(path) / "MLmodel"))


def log_model_folder(folder: Path):
    """Log a model folder written by `save_model_folder` to the active run as `model` (a
    LoggedModel, loadable as `runs:/<run>/model`); returns MLflow's ModelInfo.

    The folder's files are copied as they are: the estimator is not saved a second time, and
    its input example is not run again (the folder was saved from a model that just predicted).
    """
    from mlflow.models import Model

    return Model.log(
        artifact_path=None,
        flavor=_SavedFolder(folder),
        name=ARTIFACT_NAME,
        validate_serving_input=False,
    )
