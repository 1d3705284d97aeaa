"""The tracking store: its URI, a reachability check, and the experiment."""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from haltung.errors import TrackingError

# What the MLflow UI reads: the kind of an experiment ("Machine learning", not the GenAI
# overview), and shared views of the runs table (`…/runs?viewStateShareKey=<key>`).
KIND_TAG = "mlflow.experimentKind"
KIND = "custom_model_development"
VIEW_TAG = "mlflow.sharedViewState."
VIEW_KEY = "haltung"
PROGRESS_ENV = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
T = TypeVar("T")
# What a store says when another client created the row first (SQLite, PostgreSQL, MLflow)
CONFLICTS = ("already exists", "UNIQUE constraint", "UniqueViolation", "duplicate key")


@dataclass(frozen=True)
class Store:
    """Where runs go: the tracking URI and the artifact location of new experiments."""

    uri: str
    artifact_location: str | None  # None: the server's own (a tracking server serves them)


def resolve_store(cfg: Any | None = None, *, uri: str | None = None) -> Store:
    """The one place that decides the tracking store, for every command.

    `uri` (a command-line flag) wins; then `tracking.uri` of the config (which reads
    $MLFLOW_TRACKING_URI); else the SQLite file `<paths.experiments_dir>/mlflow.db`, an absolute
    path so the store is the same wherever the command runs. Artifacts of new experiments go to
    `tracking.artifact_location`, else `<paths.experiments_dir>/artifacts`, except on a tracking
    server, which keeps (and serves) them itself. Without `cfg` the project's default settings
    are composed (`conf/command.yaml`: paths and tracking).
    """
    if cfg is None:
        from haltung.config import COMMAND_CONFIG, compose

        cfg = compose(config_name=COMMAND_CONFIG)
    tracking = cfg.get("tracking") or {}
    folder = Path(cfg.paths.experiments_dir).expanduser().resolve()
    uri = str(uri or tracking.get("uri") or f"sqlite:///{folder / 'mlflow.db'}")
    artifacts = tracking.get("artifact_location")
    if not artifacts and not uri.startswith(("http://", "https://")):
        artifacts = (folder / "artifacts").as_uri()
    return Store(uri, str(artifacts) if artifacts else None)


def store_uri(uri: str | None = None) -> str:
    """`resolve_store(uri=uri).uri`: a given `uri` wins, so the config is composed only
    without one (model URIs resolved from a cache need no Hydra)."""
    return uri or resolve_store().uri


def check_store(uri: str, timeout: float = 5.0, *, create: bool = True) -> None:
    """Fail fast with a clear message when the store cannot be used.

    `create=False` is for commands that only read (loading a model, the UI on a given store,
    cleaning runs): a SQLite store that does not exist is an error, not a new empty store.

    A tracking server must answer its health check. A SQLite file must have a writable folder
    and open as an MLflow store; it is created (MLflow's migrations) under the store's lock, so
    processes started together do not race.
    """
    hint = (
        "Start the server, or unset MLFLOW_TRACKING_URI (haltung-train: tracking.uri=null; "
        "haltung commands: leave out --tracking-uri) to use the project's own store under "
        "experiments/."
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
    elif path := sqlite_path(uri):
        if not create and not path.is_file():
            raise TrackingError(
                f"There is no MLflow store at {path}: nothing was logged there. Check the path "
                "(--tracking-uri, MLFLOW_TRACKING_URI), or train first with haltung-train."
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise TrackingError(
                f"Cannot create the folder of the MLflow store {path} ({err}). Make "
                f"{path.parent.parent} writable, or use another store with tracking.uri=…"
            ) from None
        if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise TrackingError(
                f"The MLflow store {path} is read-only. Make it and its folder writable, or use "
                "another store with tracking.uri=…"
            )
        from haltung.tracking.closing import close_unclosed  # (it imports this module)

        with store_lock(uri):
            _open_sqlite(uri, path)
            close_unclosed(uri)  # runs a locked store kept from ending earlier
    elif uri.startswith("file:") or ("://" not in uri and not uri.startswith("databricks")):
        folder = Path(uri.removeprefix("file://").removeprefix("file:")).expanduser().resolve()
        database = folder / "mlflow.db" if folder.is_dir() else folder.with_suffix(".db")
        raise TrackingError(
            f"{uri} is a folder or file path: haltung tracks into a SQLite store or a tracking "
            f"server. Use e.g. sqlite:///{database} (`mlflow migrate-filestore` moves runs an "
            "MLflow folder store holds into one), or a server URL."
        )


def sqlite_path(uri: str) -> Path | None:
    """The file of a `sqlite:///` store (absolute); None for other stores."""
    if not uri.startswith("sqlite:///"):
        return None
    path = Path(uri.removeprefix("sqlite:///").split("?", 1)[0])
    return path if path.is_absolute() else path.resolve()


@contextmanager
def store_lock(uri: str) -> Iterator[None]:
    """Hold an exclusive lock on `<db>.lock` beside a SQLite store (POSIX; elsewhere, and for
    other stores, no lock). Not re-entrant: do not nest it."""
    path = sqlite_path(uri)
    try:
        import fcntl
    except ImportError:  # not POSIX
        fcntl = None  # type: ignore[assignment]
    if path is None or fcntl is None:
        yield
        return
    lock = path.with_name(path.name + ".lock")
    try:
        handle = open(lock, "a")  # noqa: SIM115 (held across the yield)
    except OSError as err:
        raise TrackingError(
            f"Cannot create the lock file {lock} of the MLflow store ({err}). Make its folder "
            "writable, or use another store with tracking.uri=…"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()  # releases the lock


def shared_write(uri: str, write: Callable[[], T]) -> T:
    """A get-or-create write that processes started together do together (an experiment tag,
    dataset inputs): under the store's lock for SQLite; on a tracking server, which the lock
    cannot cover, tried once more when the row was created by another client meanwhile (the
    second try finds it)."""
    from mlflow.exceptions import MlflowException

    with store_lock(uri):
        try:
            return write()
        except MlflowException as err:
            if sqlite_path(uri) is not None or not any(c in str(err) for c in CONFLICTS):
                raise
    return write()


def _open_sqlite(uri: str, path: Path) -> None:
    """MLflow's first contact with a SQLite store: creates or migrates its tables."""
    from mlflow import MlflowClient

    try:
        MlflowClient(uri).search_experiments(max_results=1)
    except Exception as err:  # sqlite3, SQLAlchemy, alembic, MLflow: all mean "cannot open"
        cause = getattr(err, "orig", None) or getattr(err, "message", None) or err  # no SQL
        reason = " ".join(str(cause).split())[:300]
        raise TrackingError(
            f"The MLflow store {path} cannot be opened ({type(err).__name__}: {reason}). It may "
            "be damaged (e.g. half-created by a process that was killed) or not an MLflow "
            f"database. Move it aside (mv {path} {path}.broken) to start a new store, or use "
            "another store with tracking.uri=…"
        ) from None


def connect(store: Store, experiment_name: str) -> str:
    """Point MLflow at the store and return the id of the named experiment (created if new)."""
    import mlflow
    from mlflow.exceptions import MlflowException

    uri = store.uri
    logging.getLogger("mlflow").setLevel(logging.WARNING)  # keep the console for haltung's news
    # A database error is raised to haltung, which says it in one line; MLflow's own logger would
    # print each retry's traceback first.
    logging.getLogger("mlflow.store.db.utils").setLevel(logging.CRITICAL)
    check_store(uri)
    mlflow.set_tracking_uri(uri)
    try:
        with store_lock(uri):  # get or create: another process may create it meanwhile
            experiment = mlflow.get_experiment_by_name(experiment_name)
            if experiment is None:
                try:
                    return mlflow.create_experiment(
                        experiment_name,
                        artifact_location=store.artifact_location,
                        tags={KIND_TAG: KIND},
                    )
                except MlflowException as err:
                    if "already exists" not in err.message:
                        raise
                experiment = mlflow.get_experiment_by_name(experiment_name)
            if experiment.lifecycle_stage == "deleted":
                raise TrackingError(
                    f"The MLflow experiment '{experiment_name}' is deleted. Restore it in the UI, "
                    "or choose another name with tracking.experiment_name=…"
                )
            if KIND_TAG not in experiment.tags:
                client = mlflow.MlflowClient(uri)
                client.set_experiment_tag(experiment.experiment_id, KIND_TAG, KIND)
            return experiment.experiment_id
    except MlflowException as err:
        raise TrackingError(f"The MLflow store {uri} cannot be used: {err.message}") from None


def publish_runs_view(experiment_id: str, metrics: Sequence[str]) -> None:
    """Save the experiment's runs-table view: description, dataset and `metrics` as columns,
    sorted by the first metric (best first). The UI opens it at `runs_view_path`."""
    import mlflow

    columns = ["attributes.`Description`", "attributes.`Dataset`"]
    columns += [f"metrics.`{m}`" for m in metrics]
    order = ["attributes.`Run Name`", "runDateAndNestInfo", "attributes.`Dataset`", "duration"]
    order += ["attributes.`Description`", *columns[2:]]
    widths = {columns[0]: 330, columns[1]: 270} | {c: 130 for c in columns[2:]}
    state = {
        "selectedColumns": columns,
        "columnOrder": order,
        "columnWidths": widths,
        "orderByKey": f"metrics.`{metrics[0]}`",
        "orderByAsc": False,
    }
    value = json.dumps(state)
    client = mlflow.MlflowClient()

    def publish() -> None:
        if client.get_experiment(experiment_id).tags.get(VIEW_TAG + VIEW_KEY) != value:
            client.set_experiment_tag(experiment_id, VIEW_TAG + VIEW_KEY, value)

    shared_write(mlflow.get_tracking_uri(), publish)  # processes started together set it together


def runs_view_path(uri: str, experiment_name: str) -> str | None:
    """The UI route of the experiment's runs table (its saved view, if any); None when the
    store has no such experiment."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    try:
        experiment = MlflowClient(uri).get_experiment_by_name(experiment_name)
    except MlflowException:
        return None
    if experiment is None:
        return None
    # MLflow 3.17's UI picks its GenAI or ML pages by a switch kept in the browser (default:
    # GenAI), not by the experiment's kind; `workflowType` in the URL sets the switch.
    path = f"#/experiments/{experiment.experiment_id}/runs?workflowType=machine_learning"
    if VIEW_TAG + VIEW_KEY in experiment.tags:
        path += f"&viewStateShareKey={VIEW_KEY}"
    return path


@contextmanager
def artifact_progress_off() -> Iterator[None]:
    """No "Downloading artifacts" bars inside, unless the user set MLflow's switch."""
    if PROGRESS_ENV in os.environ:
        yield
        return
    os.environ[PROGRESS_ENV] = "false"
    try:
        yield
    finally:
        os.environ.pop(PROGRESS_ENV, None)
