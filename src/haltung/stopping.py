"""How a stop signal ends a command: SIGINT, SIGTERM and SIGHUP become `Stopped`, a
KeyboardInterrupt, so the open MLflow run ends KILLED (`tracking.run.tracked_run`), never left
RUNNING; a signal that arrives inside a store write is delivered again just after it."""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType


class Stopped(KeyboardInterrupt):
    """A signal (SIGINT, SIGTERM, SIGHUP) stopped training; the open run ends KILLED."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
RETRY_SECONDS = 0.05  # a signal that arrives inside a store write is delivered again after it


def _in_store_write(frame: FrameType | None) -> bool:
    """Whether the main thread is inside MLflow's store or SQLAlchemy (a write in progress)."""
    while frame is not None:
        if frame.f_globals.get("__name__", "").startswith(("sqlalchemy", "mlflow.store")):
            return True
        frame = frame.f_back
    return False


_stopping = threading.Event()


def _stop(signum: int, frame: FrameType | None) -> None:
    """End the run like Ctrl-C (KILLED, not left RUNNING); never cut a store write in half.
    Once stopping, further signals are ignored so that closing the run is not cut either."""
    if _stopping.is_set():
        return
    if _in_store_write(frame):
        retry = threading.Timer(RETRY_SECONDS, os.kill, (os.getpid(), signum))
        retry.daemon = True  # never hold up the exit
        retry.start()
        return
    _stopping.set()
    raise Stopped(signum)


def install() -> None:
    """Route the stop signals of this process to `Stopped`."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop)


def exit_code(signum: int) -> int:
    """The shell's exit code for a process ended by `signum` (130 SIGINT, 143 SIGTERM, …)."""
    return 128 + signum
