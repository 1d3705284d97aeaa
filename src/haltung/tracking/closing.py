"""Ending a run even while the store is locked: each write is tried again until a bound; what
still cannot be written is kept beside the SQLite store (`<db>.unclosed.jsonl`) and written by
the next haltung command that opens the store, so no run stays RUNNING for good."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path

from haltung.tracking.store import sqlite_path, store_lock

PATIENCE = 120.0  # seconds closing a run waits for a locked store (MLflow waits 20 s a try)
PAUSE = 1.0  # between tries
BUSY = ("database is locked", "database is busy", "database table is locked")
log = logging.getLogger(__name__)


def is_busy(err: BaseException) -> bool:
    """Whether a store error means "locked by another process, try later"."""
    return any(text in str(err) for text in BUSY)


def retry(write: Callable[[], object], deadline: float) -> Exception | None:
    """Run `write` until it succeeds (None) or fails for good: the store is still busy at
    `deadline`, or it fails another way (the error)."""
    while True:
        try:
            write()
            return None
        except Exception as err:
            if not is_busy(err) or time.monotonic() + PAUSE >= deadline:
                return err
            time.sleep(PAUSE)


def end_run(
    uri: str,
    run_id: str,
    status: str,
    tags: Mapping[str, str] | None = None,
    *,
    patience: float = PATIENCE,
) -> bool:
    """Set `tags`, then end the run with `status` (MLflow's active run, if it is this one, is
    left too); True when written, False when the store stayed locked and the ending was kept
    for later (`unclosed_file`)."""
    import mlflow

    client = mlflow.MlflowClient(uri)

    def terminate() -> None:
        active = mlflow.active_run()
        if active is not None and active.info.run_id == run_id:
            mlflow.end_run(status)  # leaves the active run first, then writes
        else:
            client.set_terminated(run_id, status, end_time)

    deadline = time.monotonic() + patience
    end_time = int(time.time() * 1000)
    tags = dict(tags or {})
    writes = [lambda k=key, v=value: client.set_tag(run_id, k, v) for key, value in tags.items()]
    for write in [*writes, terminate]:
        if (failure := retry(write, deadline)) is not None:
            keep(uri, run_id, status, tags, end_time, failure)
            _forget(run_id)
            return False
    return True


def _forget(run_id: str) -> None:
    """Let MLflow's fluent API forget the run without writing: its exit hook would otherwise
    end it FINISHED once the store frees up. (MLflow has no public call for this.)"""
    import mlflow

    active = mlflow.active_run()
    if active is not None and active.info.run_id == run_id:
        with suppress(Exception):
            mlflow.tracking.fluent._active_run_stack.get().pop()
            os.environ.pop("MLFLOW_RUN_ID", None)


def unclosed_file(uri: str) -> Path | None:
    """Where endings a locked SQLite store refused wait; None for other stores."""
    path = sqlite_path(uri)
    return path.with_name(path.name + ".unclosed.jsonl") if path else None


def keep(
    uri: str,
    run_id: str,
    status: str,
    tags: Mapping[str, str],
    end_time: int,
    failure: Exception,
) -> None:
    """Record an ending the store refused, for the next command on it, and say so."""
    file = unclosed_file(uri)
    then = "`haltung runs clean` marks it FAILED"
    if file is not None:
        record = {"run_id": run_id, "status": status, "tags": dict(tags), "end_time": end_time}
        try:
            with store_lock(uri), open(file, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            then = f"the next haltung command on this store marks it {status} (kept in {file})"
        except OSError:
            pass
    reason = " ".join(str(getattr(failure, "message", failure)).split())[:200]
    log.error("Run %s could not be ended in the MLflow store %s (%s); %s.", run_id, uri, reason,
              then)


def close_unclosed(uri: str) -> int:
    """Write the endings kept beside the store (call under the store's lock); runs that
    another way already ended are left as they are. Returns how many were written."""
    file = unclosed_file(uri)
    if file is None or not file.is_file():
        return 0
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient(uri)
    lines = file.read_text("utf-8").splitlines()
    left, written = [], 0
    for line in lines:
        try:
            record = json.loads(line)
            run = client.get_run(record["run_id"])
            if run.info.status == "RUNNING":
                for key, value in record.get("tags", {}).items():
                    client.set_tag(run.info.run_id, key, value)
                client.set_terminated(run.info.run_id, record["status"], record["end_time"])
                written += 1
        except (ValueError, KeyError, TypeError):
            continue  # a torn or foreign line: nothing to do with it
        except MlflowException as err:
            if err.error_code != "RESOURCE_DOES_NOT_EXIST":  # kept unless the run is gone
                left.append(line)
    try:
        if left:
            temporary = file.with_name(file.name + ".tmp")
            temporary.write_text("\n".join(left) + "\n", "utf-8")
            os.replace(temporary, file)
        else:
            file.unlink(missing_ok=True)
    except OSError:  # a read-only folder: the file stays, and so do its endings
        pass
    return written
