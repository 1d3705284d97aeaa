"""Work in a forked process (`haltung.forking`) and the harness's forked fit (`harness.start`)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from threadpoolctl import threadpool_info

from haltung import harness
from haltung.config import compose
from haltung.errors import ConfigError, HaltungError
from haltung.evaluation.plots import ConfusionFigure, draw_in_background
from haltung.forking import ChildError, in_child


def test_the_value_comes_from_another_process():
    child = in_child(lambda: (os.getpid(), [1, 2, 3]), name="test-child")
    pid, value = child.result()
    assert pid != os.getpid()
    assert value == [1, 2, 3]


def test_a_haltung_error_is_raised_as_it_is():
    def fail():
        raise ConfigError("model 'x' could not be fitted: C must be positive")

    with pytest.raises(ConfigError, match="C must be positive") as caught:
        in_child(fail, name="test-child").result()
    assert not getattr(caught.value, "__notes__", None)  # a user-facing error: one line


def test_a_bug_in_the_child_keeps_its_traceback():
    def fail():
        return {}["missing"]

    with pytest.raises(KeyError) as caught:
        in_child(fail, name="test-child").result()
    notes = "\n".join(caught.value.__notes__)
    assert "In the process 'test-child'" in notes
    assert 'return {}["missing"]' in notes  # the child's own line


def test_a_child_that_dies_is_a_clear_error():
    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(HaltungError, match=r"'test-child' ended without a result \(exit code -9\)"):
        in_child(die, name="test-child").result()


def test_a_result_that_cannot_be_sent_is_a_clear_error():
    with pytest.raises(ChildError, match="could not be sent back"):
        in_child(lambda: threading.Lock(), name="test-child").result()


def test_stop_ends_a_running_child_at_once():
    child = in_child(lambda: time.sleep(60), name="test-child")
    started = time.monotonic()
    child.stop()
    assert time.monotonic() - started < 5
    with pytest.raises(HaltungError, match="ended without a result"):
        child.result()


def _plan(*overrides: str) -> harness.Plan:
    return harness.prepare(compose(["data=fixture", "evaluation.bootstrap_samples=50", *overrides]))


def test_a_forked_fit_scores_exactly_like_one_in_process():
    plan = _plan()
    with harness.start(plan) as fitting:
        assert fitting.in_child
        forked = fitting.result()
    here = harness.run(plan)
    assert forked.plan is plan
    assert forked.evaluation.metrics == here.evaluation.metrics
    pd.testing.assert_frame_equal(forked.predictions, here.predictions)
    assert forked.test_sets.keys() == here.test_sets.keys()
    rows = plan.dataset.frame.head(5)
    from haltung.models.inputs import input_frame

    np.testing.assert_array_equal(
        forked.estimator.predict_proba(input_frame(rows)),
        here.estimator.predict_proba(input_frame(rows)),
    )


def test_fork_false_fits_here_when_asked():
    plan = _plan()
    with harness.start(plan, fork=False) as fitting:
        assert not fitting.in_child
        outcome = fitting.result()
    assert outcome.evaluation.metrics["n"] > 0


def test_a_failing_forked_fit_raises_the_harness_error():
    plan = _plan("model.estimator.steps.tfidf.min_df=100000")  # no term is left in fit
    with harness.start(plan) as fitting, pytest.raises(ConfigError, match="could not be fitted"):
        fitting.result()


class BlasProbe(DummyClassifier):
    """A classifier that notes the BLAS threads it was fitted with."""

    def fit(self, X, y, sample_weight=None):
        pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
        self.blas_threads_ = max(p["num_threads"] for p in pools)
        return super().fit(X, y, sample_weight)


PROBE = ("~model.estimator.steps.clf", f"+model.estimator.steps.clf._target_={__name__}.BlasProbe")


@pytest.mark.parametrize("fork", [True, False])
def test_model_blas_threads_caps_the_fit(fork: bool):
    with harness.start(_plan(*PROBE, "model.blas_threads=1"), fork=fork) as fitting:
        capped = fitting.result()
    assert capped.estimator[-1].blas_threads_ == 1
    with harness.start(_plan(*PROBE, "model.blas_threads=null"), fork=fork) as fitting:
        free = fitting.result()
    assert free.estimator[-1].blas_threads_ == max(
        p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"
    )


def test_model_blas_threads_must_be_a_positive_whole_number():
    with pytest.raises(ConfigError, match=r"model.blas_threads=0 must be at least 1"):
        _plan("model.blas_threads=0")


class Unpicklable(Exception):
    """An exception that pickles but cannot be unpickled (its __init__ takes two arguments)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def test_an_exception_that_cannot_travel_keeps_its_text_and_traceback():
    def fail():
        raise Unpicklable("the first part", "the second part")

    with pytest.raises(ChildError, match="the first part and the second part") as caught:
        in_child(fail, name="test-child").result()
    notes = "\n".join(caught.value.__notes__)
    assert 'raise Unpicklable("the first part", "the second part")' in notes


def test_the_child_ignores_stop_signals_and_dies_with_its_parent(tmp_path):
    """SIGINT/SIGTERM reach the child too (a terminal's Ctrl-C, a killed process group): it
    leaves the ending to its parent; a parent killed outright takes the child with it."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, signal, sys, time\n"
        "from haltung.forking import in_child\n"
        "child = in_child(lambda: time.sleep(120), name='orphan')\n"
        "print(child._process.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    for signum in (signal.SIGINT, signal.SIGTERM):
        os.kill(child, signum)
    time.sleep(0.5)
    assert _alive(child), "the child ended on a stop signal"
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child), "the child outlived its parent"


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, ended but not yet reaped, counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class _PidFigure(ConfusionFigure):
    """Writes the drawing process's id; in a process other than `draw_here` it can be made to
    die first."""

    def draw(self) -> Path:
        if os.getpid() != self.draw_here and self.title == "dies":
            os._exit(3)
        self.path.write_text(str(os.getpid()))
        return self.path

    draw_here = os.getpid()


@pytest.mark.parametrize("title", ["draws", "dies"])
def test_figures_are_drawn_beside_the_caller_or_here_when_that_fails(tmp_path, title):
    figures = [
        _PidFigure(np.eye(2, dtype=int), ("a", "b"), tmp_path / f"{k}.png", title) for k in range(2)
    ]
    with draw_in_background(figures) as drawn:
        paths = drawn()
    assert paths == [f.path for f in figures]
    drawn_by = {int(p.read_text()) for p in paths}
    assert len(drawn_by) == 1
    assert (os.getpid() in drawn_by) == (title == "dies")  # drawn here only when the child died


def test_leaving_the_block_ends_the_drawing(tmp_path):
    figure = ConfusionFigure(np.eye(2, dtype=int), ("a", "b"), tmp_path / "never.png")
    with pytest.raises(KeyboardInterrupt), draw_in_background([figure]):
        raise KeyboardInterrupt
    time.sleep(0.5)
    assert not figure.path.exists()
    assert not [c for c in multiprocessing.active_children() if c.name == "haltung-plots"]
