"""Work in a forked process beside the caller's own: `in_child(work)` starts it, `.result()`
waits for its return value (or raises its exception here), `.stop()` ends it.

A forked child shares what the parent has loaded and built so far without pickling it; only
the result travels back, through a pipe. Stop signals end the child at once: the parent has
its own handlers (`haltung.stopping`) and stops the child when they fire.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from haltung.errors import HaltungError
from haltung.stopping import STOP_SIGNALS

T = TypeVar("T")


class Child(Generic[T]):
    """A forked process computing one value."""

    def __init__(self, process: Any, receive: Any) -> None:
        self._process = process
        self._receive = receive

    def result(self) -> T:
        """Wait for the value; the child's exception is raised here, with its traceback as a
        note, and a child that died without a word (killed, out of memory) is a HaltungError."""
        try:
            message = self._receive.recv()
        except EOFError:
            self._process.join()
            raise HaltungError(
                f"The process '{self._process.name}' ended without a result (exit code "
                f"{self._process.exitcode}); it may have run out of memory."
            ) from None
        finally:
            self._receive.close()
        self._process.join()
        kind, value, text = message
        if kind == "ok":
            return value
        if value is None:  # the exception itself could not be sent
            raise HaltungError(text.rstrip().splitlines()[-1]) from None
        if not isinstance(value, HaltungError):  # a bug, not a user-facing error
            value.add_note(f"In the process '{self._process.name}':\n{text}")
        raise value

    def stop(self) -> None:
        """End the child now if it still runs (nothing of it is waited for)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def in_child(work: Callable[[], T], name: str) -> Child[T] | None:
    """Start `work()` in a forked process named `name`; None where this platform cannot fork
    (the caller then does the work itself)."""
    if not sys.platform.startswith("linux"):
        return None
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    sys.stdout.flush()  # the child must not write the parent's buffered output again
    sys.stderr.flush()
    gc.freeze()  # the child's collections then leave the parent's objects (and pages) alone
    try:
        process = context.Process(target=_serve, args=(work, send), name=name, daemon=True)
        process.start()
    except OSError:
        receive.close()
        return None
    finally:
        gc.unfreeze()
        send.close()  # the parent's copy: the child's end alone then signals the end
    return Child(process, receive)


def _serve(work: Callable[[], Any], send: Any) -> None:
    """The child: compute, send ("ok", value, "") or ("error", exception, traceback)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    try:
        message = ("ok", work(), "")
    except BaseException as err:  # every failure goes back to the parent
        message = ("error", err, traceback.format_exc())
    try:
        send.send(message)
    except Exception as err:  # e.g. a result that cannot be pickled
        text = message[2] or f"{type(err).__name__}: {err}"
        send.send(("error", None, f"{text}\nThe result could not be sent back: {err}"))
    finally:
        send.close()
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(0)  # no exit handlers: they belong to the parent
