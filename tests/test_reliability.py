"""Nothing lost, nothing left RUNNING: processes sharing a new store, signals, sweeps' ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mlflow import MlflowClient

from conftest import BIN, ROOT, new_store, run_in_process, runs, script_env
from haltung.stopping import _in_store_write

TOGETHER = 4


def test_processes_started_together_share_a_new_store(tmp_path: Path):
    experiments = tmp_path / "experiments"  # no store yet: the first contact creates it
    command = [
        str(BIN / "haltung-train"),
        f"paths.experiments_dir={experiments}",
        "tracking.experiment_name=test",
        "data=fixture",
        "model=majority",
        "evaluation.bootstrap_samples=50",
    ]
    processes = [
        subprocess.Popen(
            [*command, f"hydra.run.dir={tmp_path / f'out{i}'}"],
            cwd=ROOT,
            env=script_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(TOGETHER)
    ]
    ended = [(p.communicate(timeout=600)[1], p.returncode) for p in processes]
    ended = [(code, errors) for errors, code in ended]
    assert [code for code, _ in ended] == [0] * TOGETHER, ended
    found = runs(f"sqlite:///{experiments / 'mlflow.db'}")
    assert [r.info.status for r in found] == ["FINISHED"] * TOGETHER


def test_a_damaged_store_is_one_clear_error(tmp_path: Path):
    experiments = tmp_path / "experiments"
    experiments.mkdir()
    (experiments / "mlflow.db").write_text("not a database, just some words\n" * 50)
    done = run_in_process(
        "haltung-train", f"paths.experiments_dir={experiments}", "data=fixture", "model=majority"
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    (line,) = [x for x in done.stderr.splitlines() if "mlflow.db" in x and "cannot be" in x]
    assert str(experiments / "mlflow.db") in line and "Move it aside" in line


def test_a_read_only_experiments_folder_is_one_clear_error(tmp_path: Path):
    from haltung.errors import TrackingError
    from haltung.tracking.store import check_store

    folder = tmp_path / "experiments"
    folder.mkdir()
    with read_only(folder):
        with pytest.raises(TrackingError, match="read-only"):
            check_store(f"sqlite:///{folder / 'mlflow.db'}")
        assert not (folder / "mlflow.db").exists()


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make `folder` read-only for this process: by its mode, or, for root (whom modes do not
    bind), by the immutable attribute (`chattr +i`, ext4 and friends)."""
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"root, and chattr +i failed: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


SLOW_TINY = ("model=tiny", "model.estimator.epochs=50")  # reports epochs: fits in the process
SLOW_SKLEARN = (  # reports none: fits in a forked process while the run opens
    "~model.estimator.steps.clf",
    "+model.estimator.steps.clf._target_=sklearn.neural_network.MLPClassifier",
    "+model.estimator.steps.clf.max_iter=1000000",
    "+model.estimator.steps.clf.tol=0",
    "+model.estimator.steps.clf.n_iter_no_change=1000000",
)


def stop_training(
    store: dict[str, str], signum: int, model: tuple[str, ...] = SLOW_TINY
) -> tuple[int, str]:
    """Start a slow `haltung-train`, send `signum` once its run exists; its exit code and
    stderr."""
    command = [str(BIN / "haltung-train"), *store["overrides"], *model]
    process = subprocess.Popen(
        command, cwd=ROOT, env=script_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not runs(store["uri"]):
        time.sleep(0.5)
    time.sleep(0.5)  # well inside the run
    if model == SLOW_SKLEARN:  # the fit runs in a second process with the same command line
        assert len(_processes_with(store["dir"])) >= 2, "the fit was not forked"
    process.send_signal(signum)
    _, errors = process.communicate(timeout=60)
    return process.returncode, errors.decode()


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGHUP, 129), (signal.SIGTERM, 143), (signal.SIGINT, 130)]
)
def test_a_signal_ends_the_run_killed_with_one_line(store, signum: int, code: int):
    returncode, errors = stop_training(store, signum)
    (run,) = runs(store["uri"])
    assert run.info.status == "KILLED", errors[-3000:]
    assert returncode == code, errors[-3000:]
    assert "Traceback" not in errors
    name = signal.Signals(signum).name
    assert f"haltung-train: stopped by {name}; run {run.info.run_id} marked KILLED" in errors


def test_a_signal_during_a_forked_fit_ends_the_run_and_the_fit(store):
    """A scikit-learn model fits in a forked process while the run opens: SIGTERM ends the run
    KILLED and leaves no fitting process behind."""
    returncode, errors = stop_training(store, signal.SIGTERM, SLOW_SKLEARN)
    (run,) = runs(store["uri"])
    assert run.info.status == "KILLED", errors[-3000:]
    assert returncode == 143, errors[-3000:]
    assert "Traceback" not in errors
    assert f"haltung-train: stopped by SIGTERM; run {run.info.run_id} marked KILLED" in errors
    time.sleep(0.5)
    assert not _processes_with(store["dir"]), "the forked fit outlived haltung-train"


def _processes_with(argument: str) -> list[int]:
    """The processes whose command line holds `argument`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if argument in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:  # the process ended meanwhile
            continue
    return found


def test_a_signal_inside_a_store_write_waits_for_it():
    def frame_in(module: str):
        scope = {"__name__": module, "sys": sys}
        exec("def here():\n    return sys._getframe()", scope)
        return scope["here"]()

    assert _in_store_write(frame_in("sqlalchemy.engine.base"))
    assert _in_store_write(frame_in("mlflow.store.tracking.sqlalchemy_store"))
    assert not _in_store_write(frame_in("haltung.harness"))


def test_an_interrupted_sweep_ends_killed_with_its_children(store, monkeypatch):
    from haltung.tracking.sweep import STOPPED_ENV, SweepCallback

    client = MlflowClient(store["uri"])
    experiment = client.create_experiment("test")
    parent = client.create_run(experiment, run_name="sweep")
    child = client.create_run(
        experiment, run_name="job", tags={"mlflow.parentRunId": parent.info.run_id}
    )
    callback = SweepCallback()
    callback.run_id, callback.uri = parent.info.run_id, store["uri"]
    monkeypatch.setenv(STOPPED_ENV, "SIGTERM")
    callback._close("FAILED")
    assert client.get_run(parent.info.run_id).info.status == "KILLED"
    assert client.get_run(child.info.run_id).info.status == "KILLED"


def test_runs_clean_marks_runs_left_running_failed(store):
    from haltung.tracking.runs import CLEAN_ERROR

    client = MlflowClient(store["uri"])
    experiment = client.create_experiment("test")
    left = client.create_run(experiment, run_name="killed").info.run_id
    done = client.create_run(experiment, run_name="done").info.run_id
    client.set_terminated(done, status="FINISHED")
    clean = ["runs", "clean", "--older-than", "0s", "--tracking-uri", store["uri"]]

    dry = run_in_process("haltung", *clean, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would mark FAILED: run {left}" in dry.stdout
    assert client.get_run(left).info.status == "RUNNING"

    cleaned = run_in_process("haltung", *clean, "--experiment", "test")
    assert cleaned.returncode == 0, cleaned.stderr
    assert f"marked FAILED: run {left} (killed)" in cleaned.stdout
    run = client.get_run(left)
    assert run.info.status == "FAILED" and run.data.tags["error"] == CLEAN_ERROR
    assert client.get_run(done).info.status == "FINISHED"

    recent = run_in_process("haltung", "runs", "clean", "--tracking-uri", store["uri"])
    assert "0 run(s) RUNNING for longer than 1h" in recent.stdout


def test_runs_clean_reads_ages():
    from haltung.errors import ConfigError
    from haltung.tracking.runs import parse_age

    assert [parse_age(a) for a in ("0s", "90", "30m", "1h", "2d")] == [0, 90, 1800, 3600, 172800]
    with pytest.raises(ConfigError):
        parse_age("soon")


@pytest.mark.slow  # SQLite's lock wait is about half a minute: the test takes a minute
def test_a_store_locked_past_the_wait_fails_the_run_in_one_line(store):
    import sqlite3

    command = [str(BIN / "haltung-train"), *store["overrides"], "model=tiny"]
    command += ["model.estimator.epochs=8"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=script_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not runs(store["uri"]):
        time.sleep(0.2)
    holder = sqlite3.connect(store["uri"].removeprefix("sqlite:///"), timeout=60)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the store for 45 s
    time.sleep(45)
    holder.rollback()
    holder.close()
    _, errors = process.communicate(timeout=120)
    (run,) = runs(store["uri"])
    assert process.returncode != 0 and run.info.status == "FAILED"
    assert "database is locked" in run.data.tags["error"]
    assert (
        "could not be written during run" in errors.decode()
        and "database is locked" in errors.decode()
    )
    assert "Traceback" not in errors.decode()


class StoreHolder:
    """Another process's hold on a SQLite store: an exclusive transaction, released on call."""

    def __init__(self, uri: str) -> None:
        import sqlite3

        path = uri.removeprefix("sqlite:///")
        self.connection = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self.connection.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def failing_run(uri: str, holder_release_after: float | None, patience: float) -> str:
    """A run that fails while another process holds the store; its id."""
    import mlflow

    from haltung.tracking.run import tracked_run
    from haltung.tracking.store import connect, resolve_store

    experiment = connect(resolve_store(uri=uri), "test")
    with (
        pytest.raises(RuntimeError, match="boom"),  # the run's own error, not the store's
        tracked_run(experiment, "locked", patience=patience) as run,
    ):
        holder = StoreHolder(uri)
        if holder_release_after is not None:
            threading.Timer(holder_release_after, holder.release).start()
        run_id = run.info.run_id
        raise RuntimeError("boom")
    assert mlflow.active_run() is None  # MLflow's exit hook will not end it FINISHED
    if holder_release_after is None:
        holder.release()
    return run_id


def test_a_store_locked_while_a_run_ends_is_waited_for(tmp_path: Path, empty_store: Path):
    from haltung.tracking.closing import unclosed_file

    uri = new_store(empty_store, tmp_path)
    run_id = failing_run(uri, holder_release_after=2.0, patience=60)
    run = MlflowClient(uri).get_run(run_id)
    assert run.info.status == "FAILED"
    assert run.data.tags["error"] == "RuntimeError: boom"
    assert not unclosed_file(uri).exists()


def test_a_store_locked_past_the_patience_is_ended_by_the_next_command(
    tmp_path: Path, empty_store: Path, caplog
):
    from haltung.tracking.closing import unclosed_file
    from haltung.tracking.store import check_store

    uri = new_store(empty_store, tmp_path)
    run_id = failing_run(uri, holder_release_after=None, patience=0)  # MLflow waits 20 s once
    client = MlflowClient(uri)
    assert client.get_run(run_id).info.status == "RUNNING"  # nothing could be written
    assert unclosed_file(uri).is_file()
    assert f"Run {run_id} could not be ended" in caplog.text and "database is locked" in caplog.text
    check_store(uri, create=False)  # what every haltung command on the store does first
    run = client.get_run(run_id)
    assert run.info.status == "FAILED" and run.data.tags["error"] == "RuntimeError: boom"
    assert not unclosed_file(uri).exists()
    check_store(uri, create=False)  # nothing left to do
    assert client.get_run(run_id).info.status == "FAILED"


def test_a_joblib_sweep_on_a_new_store_ends_every_run(tmp_path: Path):
    """Jobs start two at a time on a store that does not exist yet (Hydra's joblib launcher);
    the quick ones finish, SIGTERM stops the sweep while the slow ones run: nothing is lost and
    nothing stays RUNNING."""
    quick, slow = "2", "500"
    experiments = tmp_path / "experiments"
    uri = f"sqlite:///{experiments / 'mlflow.db'}"
    command = [
        str(BIN / "haltung-train"),
        "-m",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",  # the quick pair starts together, then the slow pair
        f"hydra.sweep.dir={tmp_path / 'multirun'}",
        f"paths.experiments_dir={experiments}",
        "tracking.experiment_name=test",
        "data=fixture",
        "~task.test_sets",
        "evaluation.bootstrap_samples=50",
        "model=tiny",
        "model.estimator.epochs=2,500",  # two quick jobs, two that run until stopped
        "seed=1,2",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=script_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def statuses() -> list[tuple[str, str]]:
        """(epochs, status) of each run, read without MLflow (which would set up the store
        itself, racing the jobs)."""
        import sqlite3

        query = (
            "SELECT coalesce(p.value, 'sweep'), r.status FROM runs r LEFT JOIN params p "
            "ON p.run_uuid = r.run_uuid AND p.key = 'model.estimator.epochs'"
        )
        try:
            with sqlite3.connect(f"file:{experiments / 'mlflow.db'}?mode=ro", uri=True) as db:
                return sorted(db.execute(query).fetchall())
        except sqlite3.Error:  # no store or no tables yet
            return []

    deadline = time.monotonic() + 240
    while (
        time.monotonic() < deadline
        and process.poll() is None
        and statuses()
        != [(quick, "FINISHED"), (quick, "FINISHED"), (slow, "RUNNING"), (slow, "RUNNING"),
            ("sweep", "RUNNING")]
    ):
        time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 143, errors.decode()[-3000:]
    assert statuses() == [
        (quick, "FINISHED"),
        (quick, "FINISHED"),
        (slow, "KILLED"),
        (slow, "KILLED"),
        ("sweep", "KILLED"),
    ]
    parent = next(r for r in runs(uri) if "model" not in r.data.tags)
    children = [r for r in runs(uri) if r.data.tags.get("mlflow.parentRunId")]
    assert len(children) == 4
    assert {r.data.tags["mlflow.parentRunId"] for r in children} == {parent.info.run_id}
    assert parent.data.tags["error"] == "sweep stopped by SIGTERM"
    assert "Traceback" not in errors.decode()


def test_kept_endings_of_runs_that_are_gone_are_dropped(tmp_path: Path, empty_store: Path):
    import json

    from haltung.tracking.closing import unclosed_file
    from haltung.tracking.store import check_store

    uri = new_store(empty_store, tmp_path)
    client = MlflowClient(uri)
    running = client.create_run(client.create_experiment("test")).info.run_id
    records = [
        {"run_id": "0" * 32, "status": "FAILED", "tags": {}, "end_time": 1},  # no such run
        {"run_id": running, "status": "KILLED", "tags": {"error": "Stopped"}, "end_time": 2},
        "a line cut short by a crash",
    ]
    unclosed_file(uri).write_text("\n".join(json.dumps(r) for r in records) + "\n", "utf-8")
    check_store(uri, create=False)
    run = client.get_run(running)
    assert (run.info.status, run.info.end_time, run.data.tags["error"]) == ("KILLED", 2, "Stopped")
    assert not unclosed_file(uri).exists()
