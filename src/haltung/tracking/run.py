"""One MLflow run: its lifecycle (never left RUNNING) and what it logs."""

from __future__ import annotations

import json
import subprocess
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import mlflow
from omegaconf import DictConfig, OmegaConf

from haltung.tracking import closing

MAX_PARAM_LENGTH = 6000  # MLflow's limit for a param value
PARAMS_LEFT_OUT = ("analyze", "hydra")  # in config.yaml, not params: they do not shape a run


@contextmanager
def tracked_run(
    experiment_id: str,
    run_name: str | None = None,
    tags: Mapping[str, str] | None = None,
    parent_run_id: str | None = None,
    *,
    patience: float = closing.PATIENCE,
) -> Iterator[mlflow.ActiveRun]:
    """Start a run; end it FINISHED, or FAILED (KILLED on Ctrl-C) with the error logged. A
    store locked by another process is waited for up to `patience` seconds, then the ending is
    kept for the next command on the store (`tracking.closing`)."""
    run = mlflow.start_run(
        experiment_id=experiment_id,
        run_name=run_name,
        tags=dict(tags or {}),
        parent_run_id=parent_run_id,
    )
    run_id, uri = run.info.run_id, mlflow.get_tracking_uri()
    try:
        yield run
    except BaseException as err:
        status = "KILLED" if isinstance(err, KeyboardInterrupt) else "FAILED"
        if isinstance(err, KeyboardInterrupt):
            err.run_id = run_id  # for the one line the command prints
        error = {"error": f"{type(err).__name__}: {err}"[:5000]}
        if closing.end_run(uri, run_id, status, error, patience=patience):
            with suppress(Exception):  # the store answered: the traceback is a bonus
                text = "".join(traceback.format_exception(err))
                mlflow.MlflowClient(uri).log_text(run_id, text, "error.txt")
        raise
    closing.end_run(uri, run_id, "FINISHED", patience=patience)


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested config as dotted keys with string values (lists stay one value)."""
    flat: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{name}.")
        else:
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)
            flat[name] = text[:MAX_PARAM_LENGTH]
    return flat


def log_config(cfg: DictConfig, overrides: Sequence[str]) -> None:
    """The resolved config as `config.yaml`, the overrides as `overrides.yaml`, and as params
    what tells runs apart: the test sets by name only, no analysis settings (the compare view
    would otherwise open on dozens of identical corpus paths)."""
    resolved = OmegaConf.to_container(cfg, resolve=True)
    params = {k: v for k, v in resolved.items() if k not in PARAMS_LEFT_OUT}
    task = dict(params.get("task") or {})
    if isinstance(task.get("test_sets"), dict):
        task["test_sets"] = list(task["test_sets"])
        params["task"] = task
    mlflow.log_params(flatten(params))
    mlflow.log_text(OmegaConf.to_yaml(resolved), "config.yaml")
    mlflow.log_text(OmegaConf.to_yaml(list(overrides)), "overrides.yaml")


def git_state(folder: Path) -> dict[str, str]:
    """The commit of `folder`'s repository and whether the tree has uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no")) if commit else False
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", False
    return {"git_commit": commit or "unknown", "git_dirty": str(dirty).lower()}
