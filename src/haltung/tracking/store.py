"""The tracking store: its URI, a reachability check, and the experiment."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from haltung.errors import TrackingError


def tracking_uri(tracking_cfg: Any, experiments_dir: str | Path) -> str:
    """`tracking.uri` (or $MLFLOW_TRACKING_URI through the config), else the project's SQLite store.

    The default path is absolute, so the store is the same wherever the command runs.
    """
    if tracking_cfg.get("uri"):
        return str(tracking_cfg["uri"])
    folder = Path(experiments_dir).expanduser().resolve()
    return f"sqlite:///{folder / 'mlflow.db'}"


def artifact_location(tracking_cfg: Any, experiments_dir: str | Path) -> str:
    """Where new experiments keep their artifacts: `experiments/artifacts` unless configured."""
    if tracking_cfg.get("artifact_location"):
        return str(tracking_cfg["artifact_location"])
    return (Path(experiments_dir).expanduser().resolve() / "artifacts").as_uri()


def check_store(uri: str, timeout: float = 5.0) -> None:
    """Fail fast with a clear message when the store cannot be used.

    A tracking server must answer its health check; a SQLite file must have a writable folder.
    """
    hint = (
        "Start the server, or unset MLFLOW_TRACKING_URI / pass tracking.uri=null to use the "
        "project's own store under experiments/."
    )
    if uri.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout) as reply:
                if reply.status >= 400:
                    raise TrackingError(
                        f"The MLflow server at {uri} answered {reply.status}. {hint}"
                    )
        except (urllib.error.URLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", err)
            raise TrackingError(
                f"The MLflow server at {uri} cannot be reached ({reason}). {hint}"
            ) from None
    elif uri.startswith("sqlite:///"):
        path = Path(uri.removeprefix("sqlite:///"))
        path = path if path.is_absolute() else path.resolve()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise TrackingError(
                f"Cannot create the folder of the MLflow store {path} ({err})."
            ) from None


def connect(uri: str, experiment_name: str, artifacts: str) -> str:
    """Point MLflow at `uri` and return the id of the named experiment (created if new)."""
    import mlflow
    from mlflow.exceptions import MlflowException

    check_store(uri)
    logging.getLogger("mlflow").setLevel(logging.WARNING)  # keep the console for haltung's news
    mlflow.set_tracking_uri(uri)
    try:
        experiment = mlflow.get_experiment_by_name(experiment_name)
        if experiment is None:
            return mlflow.create_experiment(experiment_name, artifact_location=artifacts)
        if experiment.lifecycle_stage == "deleted":
            raise TrackingError(
                f"The MLflow experiment '{experiment_name}' is deleted. Restore it in the UI, or "
                "choose another name with tracking.experiment_name=…"
            )
        return experiment.experiment_id
    except MlflowException as err:
        raise TrackingError(f"The MLflow store {uri} cannot be used: {err.message}") from None
