"""`StanceClassifier`: the one way to load and use any trained haltung model.

from haltung import StanceClassifier
clf = StanceClassifier.load("runs:/<run_id>/model")     # or a model folder
clf.predict(["„Das ist eine innere Angelegenheit“, sagte der Sprecher."])
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from haltung.errors import ModelLoadError
from haltung.models.inputs import as_input_frame
from haltung.models.predict import labels_from_proba
from haltung.models.saved import LoadedModel, load_model_dir

if TYPE_CHECKING:
    from haltung.analyze import ArticleAnalyzer, Detector

URI_SCHEMES = (
    "runs:/",
    "models:/",
    "file:",
    "s3://",
    "gs://",
    "wasbs://",
    "dbfs:/",
    "mlflow-artifacts:/",
    "http://",
    "https://",
)


class StanceClassifier:
    """A trained classifier: sentences (and their actors) in, labels and probabilities out."""

    def __init__(self, model: LoadedModel, source: str = ""):
        self._model = model
        self.source = source
        self._analyzer: ArticleAnalyzer | None = None  # built on the first `analyze`

    @classmethod
    def load(
        cls, source: str | Path, tracking_uri: str | None = None, quantize: str | None = None
    ) -> StanceClassifier:
        """Load from a model folder, or from any MLflow model URI (`runs:/<run_id>/model`,
        `models:/<name>/<version>`, `models:/<model_id>`).

        URIs are resolved against `tracking_uri`, else $MLFLOW_TRACKING_URI, else the project's
        own store (`experiments/mlflow.db`); a URI of a finished run in a SQLite store is kept in
        the local cache and later opened without MLflow (`haltung.tracking.model_cache`).
        `quantize="int8"` runs transformer models as int8
        ONNX Runtime models (faster on CPU; built on first use and cached).
        """
        text = str(source)
        path = Path(text).expanduser()
        if path.exists():
            return cls(load_model_dir(path, quantize), text)
        if text.startswith(URI_SCHEMES):
            return cls(_load_uri(text, tracking_uri, quantize), text)
        raise ModelLoadError(
            f"No model at '{text}': it is neither a folder nor an MLflow model URI. Pass a run's "
            "model folder (experiments/outputs/…/model) or a URI such as runs:/<run_id>/model."
        )

    @property
    def labels(self) -> list[str]:
        """The labels, in the order of `predict_proba`'s columns."""
        return list(self._model.labels)

    @property
    def estimator(self):
        """The fitted estimator underneath (a scikit-learn Pipeline or a TransformerClassifier)."""
        return self._model.estimator

    @property
    def info(self) -> dict:
        """What the model was trained for and on (task, model name, data, run id)."""
        return dict(self._model.meta)

    def predict_proba(
        self,
        texts: str | Sequence[str] | pd.Series | pd.DataFrame,
        actors: str | Sequence[str] | None = None,
        contexts: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """One row per text, one column per label (a Series' or frame's index is kept).

        `actors` gives each text's actor; `contexts` what it answers (for a government answer,
        the question). Models trained without contexts ignore them. A frame brings them as its
        `actor` and `context` columns beside `text`.
        """
        frame = as_input_frame(texts, actors, contexts)
        if frame.empty:
            return pd.DataFrame(columns=self.labels, index=frame.index, dtype=float)
        return pd.DataFrame(
            self._model.predict_proba(frame), columns=self.labels, index=frame.index
        )

    def predict(
        self,
        texts: str | Sequence[str] | pd.Series | pd.DataFrame,
        actors: str | Sequence[str] | None = None,
        contexts: str | Sequence[str] | None = None,
    ) -> list[str]:
        """The most probable label of each text."""
        proba = self.predict_proba(texts, actors, contexts).to_numpy()
        return labels_from_proba(proba, self.labels)

    def analyze(
        self, text: str, doc_id: str = "doc", *, detector: Detector | None = None
    ) -> pd.DataFrame:
        """Split an article into sentences, find each sentence's actors and label them.

        One row per (sentence, actor): doc_id, sentence_index, sentence, actor, entity,
        stance, score, reason (`haltung.analyze.COLUMNS`); a sentence without an actor is `none`
        with the reason "no actor found", and the model is not asked.
        `detector` finds the actors (default: the rule-based one; see
        `haltung.analyze.build_detector`). For many articles use `haltung.analyze.analyze_texts`
        or `haltung analyze`.
        """
        from haltung.analyze import Article, ArticleAnalyzer

        if detector is None:
            if self._analyzer is None:
                self._analyzer = ArticleAnalyzer(self.predict_proba)
            analyzer = self._analyzer
        else:
            splitter = self._analyzer.splitter if self._analyzer else None
            analyzer = ArticleAnalyzer(self.predict_proba, splitter=splitter, detector=detector)
        return analyzer.rows(Article(doc_id, text))

    def __repr__(self) -> str:
        meta = self._model.meta
        return (
            f"StanceClassifier(model={meta.get('model', '?')!r}, task={meta.get('task', '?')!r}, "
            f"labels={self.labels}, source={self.source!r})"
        )


def model_folder(source: str | Path, tracking_uri: str | None = None) -> Path:
    """The local folder of a model: a folder as it is, a URI's cached (or freshly downloaded)
    copy. For engines that ship the folder elsewhere (Spark)."""
    from haltung.tracking import model_cache
    from haltung.tracking.store import store_uri

    text = str(source)
    path = Path(text).expanduser()
    if path.is_dir():
        return path
    if not text.startswith(URI_SCHEMES):
        raise ModelLoadError(f"No model at '{text}': it is neither a folder nor a model URI.")
    store = store_uri(tracking_uri)
    entry = model_cache.locate(text, store)
    if entry is not None and (folder := model_cache.cached(entry)) is not None:
        return folder
    return _fetch(text, store, entry)


def _load_uri(uri: str, tracking_uri: str | None, quantize: str | None) -> LoadedModel:
    """A model URI: the cached copy when the store says it is still current (no MLflow
    import), else downloaded with MLflow, into the cache when the URI can be cached."""
    from haltung.tracking import model_cache
    from haltung.tracking.store import store_uri

    store = store_uri(tracking_uri)
    entry = model_cache.locate(uri, store)  # a deleted run: ModelLoadError
    if entry is not None and (folder := model_cache.cached(entry)) is not None:
        try:
            return load_model_dir(folder, quantize)
        except ModelLoadError:
            model_cache.discard(entry)  # a damaged copy: fetched again below
    if entry is not None:
        return _load_fetched(uri, _fetch(uri, store, entry), quantize)
    # not cacheable (e.g. a run still running): a temporary copy, removed once loaded
    with tempfile.TemporaryDirectory(prefix="haltung-model-") as tmp:
        return _load_fetched(uri, _download(uri, store, Path(tmp)), quantize)


def _load_fetched(uri: str, folder: Path, quantize: str | None) -> LoadedModel:
    """Load what `uri` downloaded to; an error names the URI, not the local copy."""
    try:
        return load_model_dir(folder, quantize)
    except ModelLoadError as err:
        raise ModelLoadError(f"{uri}: {str(err).replace(str(folder), 'its download')}") from None


def _fetch(uri: str, store: str, entry) -> Path:
    """Download a model URI: into the cache when it can be cached (`entry`), else anywhere."""
    from haltung.tracking import model_cache

    if entry is None:
        return _download(uri, store)
    return model_cache.fill(entry, lambda into: _download(uri, store, into))


def _download(uri: str, store: str, into: Path | None = None) -> Path:
    """Fetch an MLflow model's files to a local folder (`into`, else a temporary one)."""
    import mlflow
    from mlflow.exceptions import MlflowException

    from haltung.errors import TrackingError
    from haltung.tracking.model_cache import deleted_run_message
    from haltung.tracking.store import artifact_progress_off, check_store

    try:
        check_store(store, create=False)
    except TrackingError as err:
        raise ModelLoadError(f"Cannot load {uri}: {err}") from None
    mlflow.set_tracking_uri(store)
    quiet = contextlib.nullcontext() if sys.stderr.isatty() else artifact_progress_off()
    try:
        if uri.startswith("runs:/"):  # a deleted run is not served (as from the cache)
            run_id = uri.removeprefix("runs:/").split("/", 1)[0]
            if mlflow.MlflowClient(store).get_run(run_id).info.lifecycle_stage == "deleted":
                raise ModelLoadError(deleted_run_message(uri, store, run_id))
        with quiet:  # no progress bars in logs and pipes
            folder = None if into is None else str(into)
            return Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=folder))
    except (MlflowException, OSError) as err:
        message = str(getattr(err, "message", err)).rstrip(". ")
        raise ModelLoadError(
            f"Cannot load {uri} from the tracking store {store}: {message}. Check the URI (run "
            "id and artifact path, or model name, version and alias), or point at the right "
            "store with --tracking-uri or MLFLOW_TRACKING_URI."
        ) from None
