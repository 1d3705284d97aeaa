"""MLflow's model registry: a finished run's model (or a sweep's best run) as a named version
with an alias, loadable as `models:/<name>@<alias>` and servable with `mlflow models serve`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from haltung.errors import TrackingError
from haltung.tracking.pyfunc import ARTIFACT_NAME
from haltung.tracking.store import Store, check_store

BEST_RUN_TAG = "best_run_id"  # set on a sweep's parent run (tracking.sweep)
NAME = re.compile(r"[A-Za-z0-9][\w.\-]*")
COPIED_TAGS = ("task", "model", "data", "split")  # what the version says about itself


@dataclass(frozen=True)
class Registered:
    """A registered model version."""

    name: str
    version: str
    run_id: str
    alias: str | None
    from_sweep: str | None  # the sweep parent the run was picked from

    @property
    def uri(self) -> str:
        return f"models:/{self.name}@{self.alias}" if self.alias else self.version_uri

    @property
    def version_uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


def register(store: Store, run_id: str, name: str, alias: str | None = None) -> Registered:
    """Register the model of run `run_id` (a sweep parent stands for its best run) as a new
    version of `name`; point `alias` at it."""
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    for label, value in (("a model name", name), ("an alias", alias)):
        if value is not None and not NAME.fullmatch(value):
            raise TrackingError(
                f"'{value}' cannot be {label}: use letters, digits, '_', '-' and '.', "
                "starting with a letter or digit."
            )
    if alias is not None and re.fullmatch(r"[vV]\d+|latest", alias):
        raise TrackingError(f"'{alias}' cannot be an alias: MLflow reserves v<number> and latest.")
    check_store(store.uri, create=False)
    client = MlflowClient(store.uri)
    run = _finished_run(client, run_id)
    sweep = None
    if BEST_RUN_TAG in run.data.tags:  # a sweep's parent: its best run
        sweep, run = run_id, _finished_run(client, run.data.tags[BEST_RUN_TAG])
    tags = {k: run.data.tags[k] for k in COPIED_TAGS if k in run.data.tags}
    tags |= {"headline": run.data.tags.get("mlflow.note.content", "").split("\n", 1)[0][:500]}
    source = f"runs:/{run.info.run_id}/{ARTIFACT_NAME}"
    mlflow.set_tracking_uri(store.uri)  # before anything resolves runs:/ (else ./mlflow.db)
    try:
        info = mlflow.models.get_model_info(source)
    except Exception:  # MLflow raises several kinds here; all mean "no model to register"
        raise TrackingError(f"Run {run.info.run_id} has no logged model ({source}).") from None
    try:
        if getattr(info, "model_id", None):  # MLflow 3: the run's logged model itself
            source = f"models:/{info.model_id}"
        version = mlflow.register_model(source, name, tags={k: v for k, v in tags.items() if v})
        client.update_model_version(
            name, version.version, description=f"run {run.info.run_name} ({run.info.run_id})"
        )
        if alias:
            client.set_registered_model_alias(name, alias, version.version)
    except MlflowException as err:
        reason = err.message.splitlines()[0]
        raise TrackingError(f"Could not register the model of run {run_id}: {reason}") from None
    return Registered(name, str(version.version), run.info.run_id, alias, sweep)


def _finished_run(client, run_id: str):
    """The run, which must have ended FINISHED and hold a model."""
    from mlflow.exceptions import MlflowException

    try:
        run = client.get_run(run_id)
    except MlflowException:
        raise TrackingError(
            f"There is no run {run_id} in the store {client.tracking_uri}. Copy the id from "
            "haltung-train's last lines or the MLflow UI, and check --tracking-uri."
        ) from None
    if run.info.lifecycle_stage == "deleted":
        raise TrackingError(f"Run {run_id} is deleted; restore it in the MLflow UI first.")
    if run.info.status != "FINISHED":
        best = run.data.tags.get(BEST_RUN_TAG)
        hint = f" Its best run, {best}, can be: `haltung register {best}`." if best else ""
        raise TrackingError(
            f"Run {run_id} ended {run.info.status}, not FINISHED: only a finished run's model "
            f"can be registered.{hint}"
        )
    return run
