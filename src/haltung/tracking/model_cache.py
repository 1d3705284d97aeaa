"""Model URIs opened from a local cache, without importing MLflow.

A `runs:/<run_id>/<path>`, `models:/<name>/<version>`, `models:/<name>@<alias>` or
`models:/<model_id>` URI of a SQLite store is looked up in the store's own tables (sqlite3,
read-only): the run (FINISHED, not deleted, its end time), the registered version (the one an
alias points at) and the logged model. Their state, the fingerprint, names the cached copy:

    $HALTUNG_CACHE/models/<store and target digest>-<fingerprint digest>/
      entry.json     the URI, the store, the fingerprint, and the size of every file
      files/…        the model folder as MLflow downloaded it

A run deleted, restored or changed, a version updated or an alias moved gives another
fingerprint and so another entry. Entries are written to a temporary folder and renamed into
place, so two processes filling the same entry, or a process killed mid-download, never leave
half a model where a reader looks; an entry whose files do not match entry.json is fetched again.
URIs of other stores (a tracking server, Postgres) and other forms (`models:/<name>/latest`,
stages) are not cached: they are downloaded with MLflow every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from haltung.errors import ModelLoadError
from haltung.tracking.store import sqlite_path

ENTRY_FILE = "entry.json"
FILES = "files"
STALE_SECONDS = 24 * 3600  # a temporary folder this old belongs to a process that died
DELETED_VERSION = "Deleted_Internal"  # MLflow's stage of a deleted model version
LOGGED_MODEL_READY = 2  # mlflow.protos LoggedModelStatus.LOGGED_MODEL_READY

_RUN_URI = re.compile(r"runs:/([^/?#]+)/([^?#]+?)/*")
_VERSION_URI = re.compile(r"models:/([^/@?#]+)/(\d+)/*")
_ALIAS_URI = re.compile(r"models:/([^/@?#]+)@([^/?#]+)/*")
_LOGGED_URI = re.compile(r"models:/(m-[0-9a-f]+)/*")


@dataclass(frozen=True)
class Entry:
    """Where the cached copy of one URI, in one state of the store, lives."""

    uri: str
    store: str
    fingerprint: list[Any]
    folder: Path


def models_cache() -> Path:
    """$HALTUNG_CACHE/models, else ~/.cache/haltung/models."""
    from haltung.config import cache_home

    return cache_home() / "models"


def locate(uri: str, store: str) -> Entry | None:
    """The cache entry of `uri` as the store holds it now; None when it is not to be cached
    (not a SQLite store, not a form named above, a run not FINISHED, unknown to the store).

    Raises ModelLoadError when `uri` names a deleted run.
    """
    path = sqlite_path(store)
    if path is None or not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return None
    try:
        with db:
            target = _target(db, uri, store)
    except sqlite3.Error:  # not an MLflow store, or another schema: MLflow will say
        return None
    finally:
        db.close()
    if target is None:
        return None
    identity, fingerprint = target
    name = f"{_digest([str(path.resolve()), *identity])}-{_digest(fingerprint)}"
    return Entry(uri, store, fingerprint, models_cache() / name)


def cached(entry: Entry) -> Path | None:
    """The cached model folder of `entry`; None when it is missing or incomplete."""
    try:
        info = json.loads((entry.folder / ENTRY_FILE).read_text("utf-8"))
        files = entry.folder / FILES
        for name, size in info["sizes"].items():
            if (files / name).stat().st_size != size:
                return None
        if info["fingerprint"] != entry.fingerprint:
            return None
        return files / info["model"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def fill(entry: Entry, fetch: Callable[[Path | None], Path]) -> Path:
    """Fetch the model into the cache and return its folder there.

    `fetch(folder)` downloads the model into `folder` and returns where it put it;
    `fetch(None)` downloads it anywhere (used when the cache cannot be written).
    """
    root = entry.folder.parent
    try:
        root.mkdir(parents=True, exist_ok=True)
        temporary = root / f".tmp-{uuid.uuid4().hex}"
        (temporary / FILES).mkdir(parents=True)
    except OSError:
        return fetch(None)
    try:
        model = fetch(temporary / FILES)
        try:
            _seal(temporary, model, entry)
            _move_into_place(temporary, entry)
            _tidy(entry)
        except OSError:  # a full disk, say: not cached this time
            return fetch(None)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)  # gone when moved; else a failed fetch
    folder = cached(entry)
    if folder is None:  # the entry was taken away meanwhile: unlikely; fetch once more
        return fetch(None)
    return folder


def _seal(temporary: Path, model: Path, entry: Entry) -> None:
    """Write entry.json: what was fetched, for which state of the store, every file's size."""
    files = temporary / FILES
    sizes = {str(p.relative_to(files)): p.stat().st_size for p in files.rglob("*") if p.is_file()}
    info = {
        "uri": entry.uri,
        "store": entry.store,
        "fingerprint": entry.fingerprint,
        "model": str(model.relative_to(files)),
        "sizes": sizes,
    }
    (temporary / ENTRY_FILE).write_text(json.dumps(info, indent=1), "utf-8")


def discard(entry: Entry) -> None:
    """Remove a cached entry (a damaged copy), so that it is fetched again."""
    _remove(entry.folder)


def _move_into_place(temporary: Path, entry: Entry) -> None:
    """Rename the filled folder to the entry's name; a complete entry already there (another
    process was quicker) is kept, a damaged one replaced."""
    for _ in range(3):
        try:
            os.replace(temporary, entry.folder)
            return
        except OSError:  # the target exists and is not empty
            if cached(entry) is not None:
                return
            _remove(entry.folder)
    raise OSError(f"cannot move {temporary} to {entry.folder}")


def _tidy(entry: Entry) -> None:
    """Drop other states of the same URI and temporary folders of processes that died."""
    prefix = entry.folder.name.split("-")[0] + "-"
    now = time.time()
    for other in entry.folder.parent.iterdir():
        if other.name.startswith(prefix) and other.name != entry.folder.name:
            _remove(other)
        elif other.name.startswith(".tmp-"):
            try:
                if now - other.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(other, ignore_errors=True)
            except OSError:
                pass


def _remove(folder: Path) -> None:
    """Rename a folder aside first, so that nobody finds it half removed."""
    trash = folder.with_name(f".tmp-{uuid.uuid4().hex}")
    try:
        os.replace(folder, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def _digest(parts: list[Any]) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def _target(db: sqlite3.Connection, uri: str, store: str) -> tuple[list, list] | None:
    """(what the URI names, the state it is in) from the store's tables; None: not cached."""
    if match := _RUN_URI.fullmatch(uri):
        run_id, path = match.groups()
        fingerprint = _run_state(db, uri, store, run_id)
        if fingerprint is None:
            return None
        # MLflow 3 resolves runs:/<id>/<name> to the run's logged model of that name
        rows = db.execute(
            "select model_id, status, lifecycle_stage, last_updated_timestamp_ms "
            "from logged_models where source_run_id = ? and name = ? order by model_id",
            (run_id, path),
        ).fetchall()
        return ["run", run_id, path], [*fingerprint, [list(row) for row in rows]]
    if match := _ALIAS_URI.fullmatch(uri):
        name, alias = match.groups()
        rows = db.execute(
            "select version from registered_model_aliases where name = ? and alias = ?",
            (name, alias),
        ).fetchall()
        if len(rows) != 1:
            return None
        return _version_target(db, name, int(rows[0][0]))
    if match := _VERSION_URI.fullmatch(uri):
        name, version = match.groups()
        return _version_target(db, name, int(version))
    if match := _LOGGED_URI.fullmatch(uri):
        state = _logged_model_state(db, match.group(1))
        return None if state is None else (["logged", match.group(1)], state)
    return None


def _run_state(db: sqlite3.Connection, uri: str, store: str, run_id: str) -> list | None:
    rows = db.execute(
        "select status, lifecycle_stage, end_time, artifact_uri from runs where run_uuid = ?",
        (run_id,),
    ).fetchall()
    if len(rows) != 1:
        return None
    status, stage, end_time, artifact_uri = rows[0]
    if stage == "deleted":
        raise ModelLoadError(deleted_run_message(uri, store, run_id))
    if status != "FINISHED" or end_time is None:
        return None  # a running run may still change; a failed one is not cached
    return [status, stage, end_time, artifact_uri]


def _version_target(db: sqlite3.Connection, name: str, version: int) -> tuple[list, list] | None:
    rows = db.execute(
        "select source, run_id, status, current_stage, last_updated_time, storage_location "
        "from model_versions where name = ? and version = ?",
        (name, version),
    ).fetchall()
    if len(rows) != 1:  # unknown (MLflow says so), or the same name in several workspaces
        return None
    source, run_id, status, stage, updated, location = rows[0]
    if status != "READY" or stage == DELETED_VERSION:
        return None
    fingerprint = [source, run_id, status, stage, updated, location]
    if source and (logged := _LOGGED_URI.fullmatch(source)):
        state = _logged_model_state(db, logged.group(1))
        if state is None:
            return None
        fingerprint.append(state)
    return ["version", name, version], fingerprint


def _logged_model_state(db: sqlite3.Connection, model_id: str) -> list | None:
    rows = db.execute(
        "select status, lifecycle_stage, last_updated_timestamp_ms, artifact_location "
        "from logged_models where model_id = ?",
        (model_id,),
    ).fetchall()
    if len(rows) != 1 or rows[0][0] != LOGGED_MODEL_READY or rows[0][1] != "active":
        return None
    return list(rows[0])


def deleted_run_message(uri: str, store: str, run_id: str) -> str:
    """The one-line error for a URI of a deleted run (cached or not)."""
    return (
        f"Cannot load {uri}: run {run_id} is deleted in the tracking store {store}. Restore it "
        f"(`mlflow runs restore --run-id {run_id}` or the MLflow UI), or load another run."
    )
