"""Shared fixtures: the labelled fixture data, temporary MLflow stores, the console scripts."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def stance_path() -> Path:
    return FIXTURES / "mini_stance.jsonl"


@pytest.fixture(scope="session")
def stance_frame(stance_path: Path) -> pd.DataFrame:
    return pd.read_json(stance_path, lines=True, dtype=False)


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory) -> Path:
    """An empty MLflow SQLite store with its tables created once (MLflow's migrations take
    seconds); each test gets a copy of it."""
    path = tmp_path_factory.mktemp("store") / "mlflow.db"
    from mlflow import MlflowClient

    MlflowClient(f"sqlite:///{path}").search_experiments()
    return path


def runs(uri: str, experiment: str = "test") -> list:
    """The runs of an experiment in a store ([] when the experiment does not exist)."""
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    found = client.get_experiment_by_name(experiment)
    return client.search_runs([found.experiment_id], max_results=100) if found else []


def new_store(empty_store: Path, folder: Path) -> str:
    """A fresh, empty MLflow store in `folder`: a copy of the session's template."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(empty_store, folder / "mlflow.db")
    return f"sqlite:///{folder / 'mlflow.db'}"


@pytest.fixture
def store(tmp_path: Path, empty_store: Path) -> dict[str, str]:
    """A fresh experiments folder and its SQLite store, as haltung-train overrides."""
    experiments = tmp_path / "experiments"
    new_store(empty_store, experiments)
    return {
        "dir": str(experiments),
        "uri": f"sqlite:///{experiments / 'mlflow.db'}",
        "overrides": [
            f"paths.experiments_dir={experiments}",
            "tracking.experiment_name=test",
            "data=fixture",
        ],
    }


@pytest.fixture(autouse=True)
def _no_leaked_store():
    """MLflow exports the store it was last pointed at as MLFLOW_TRACKING_URI; an in-process
    run must not leak it into the next test's config."""
    yield
    os.environ.pop("MLFLOW_TRACKING_URI", None)


@dataclass
class Done:
    """How an in-process command ended, like subprocess.CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


def train_in_new_store(folder: Path, empty_store: Path, *overrides: str) -> tuple[Path, str, Done]:
    """One `haltung-train` run (experiment "test") into a fresh store under `folder`."""
    experiments = folder / "experiments"
    uri = new_store(empty_store, experiments)
    done = run_in_process(
        "haltung-train",
        f"paths.experiments_dir={experiments}",
        "tracking.experiment_name=test",
        *overrides,
    )
    assert done.returncode == 0, done.stderr
    return experiments, uri, done


def run_in_process(name: str, *args: str, stdin: str | None = None) -> Done:
    """Run `haltung-train` (through its Hydra app) or `haltung` in this process, as a user
    would on the command line, without paying for a new interpreter."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    argv, standard_input, root = sys.argv, sys.stdin, logging.getLogger()
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    handlers, level = list(root.handlers), root.level
    before = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            if name == "haltung-train":
                from haltung.train import _app

                sys.argv = [name, *args]
                _app()
            elif name == "haltung":
                from haltung.cli import main

                code = main(list(args))
            else:
                raise ValueError(f"not a haltung command: {name}")
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv, sys.stdin = argv, standard_input
        if before is not None:
            os.environ["MLFLOW_TRACKING_URI"] = before
        root.handlers[:] = handlers  # Hydra configured logging onto the redirected streams
        root.setLevel(level)
    return Done(code, out.getvalue(), err.getvalue())


def script_env() -> dict[str, str]:
    """The environment for console scripts: without the store that mlflow.set_tracking_uri
    exported for this test process (MLflow sets MLFLOW_TRACKING_URI)."""
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["PYTHONWARNINGS"] = "ignore"
    return env


def run_script(name: str, *args: str, stdin: str | None = None, timeout: int = 300):
    """Run one of haltung's console scripts in a subprocess, as a user would."""
    return subprocess.run(
        [str(BIN / name), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
        env=script_env(),
        cwd=ROOT,
    )


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(command: list[str], log: Path, **popen) -> subprocess.Popen:
    """Start a server process with its output in the file `log`: a pipe that nobody reads
    fills up (64 KiB of access log lines) and then blocks the server mid-request."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:  # the child keeps its own copy of the file descriptor
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **popen)


def wait_for_server(url: str, process: subprocess.Popen, seconds: float, log: Path) -> None:
    """Wait until `url` answers 200; fail the test, with the server's log, if the process
    ends first or the time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None:
            output = log.read_text(errors="replace")
            pytest.fail(f"the server ended before {url} answered: {output[-3000:]}")
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds:.0f} s: {log.read_text()[-3000:]}")
