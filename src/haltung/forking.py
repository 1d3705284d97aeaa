"""Work in a forked process beside the caller's own: `in_child(work)` starts it, `.result()`
waits for its return value (or raises its exception here), `.stop()` ends it.

A forked child shares what the parent has loaded and built so far without pickling it; only
the result travels back, through a pipe. The child ignores stop signals and never outlives the
parent: the parent ends it (`stop`, when its own handlers in `haltung.stopping` fire, or when the
caller's block is left), and the kernel kills it when the parent dies (Linux's parent-death
signal).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from haltung.errors import HaltungError
from haltung.stopping import STOP_SIGNALS

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1  # prctl option: the signal this process gets when its parent ends


class ChildError(RuntimeError):
    """A failure in the child whose exception could not be sent back as it was."""


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
            code = self._process.exitcode
            why = "; it may have run out of memory" if code == -signal.SIGKILL else ""
            raise HaltungError(
                f"The process '{self._process.name}' ended without a result (exit code "
                f"{code}){why}."
            ) from None
        except Exception as err:  # the result or exception arrived but cannot be unpickled
            self.stop()
            raise ChildError(
                f"The result of the process '{self._process.name}' could not be read: "
                f"{type(err).__name__}: {err}"
            ) from err
        finally:
            self._receive.close()
        self._process.join()
        kind, value, text = message
        if kind == "ok":
            return value
        if value is None:  # the exception itself could not be sent: its text was
            failure = ChildError(text.rstrip().splitlines()[-1])
            failure.add_note(f"In the process '{self._process.name}':\n{text}")
            raise failure
        if not isinstance(value, HaltungError):  # a bug, not a user-facing error
            value.add_note(f"In the process '{self._process.name}':\n{text}")
        raise value

    def stop(self) -> None:
        """End the child now if it still runs (nothing of it is waited for)."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def in_child(work: Callable[[], T], name: str) -> Child[T] | None:
    """Start `work()` in a forked process named `name`; None where this process cannot fork
    (not Linux, a daemonic worker process, the fork failed): the caller then does the work."""
    if not sys.platform.startswith("linux"):
        return None
    import multiprocessing

    if multiprocessing.current_process().daemon:  # daemonic processes may not have children
        return None
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    sys.stdout.flush()  # the child must not write the parent's buffered output again
    sys.stderr.flush()
    gc.freeze()  # the child's collections then leave the parent's objects (and pages) alone
    # stop signals wait until the child ignores them (they stay pending here meanwhile)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        process = context.Process(
            target=_serve, args=(work, send, receive, os.getpid()), name=name, daemon=True
        )
        process.start()
    except Exception:  # cannot fork here: the caller does the work itself
        receive.close()
        return None
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        gc.unfreeze()
        send.close()  # the parent's copy: the child's end alone then signals the end
    return Child(process, receive)


def _serve(work: Callable[[], Any], send: Any, receive: Any, parent: int) -> None:
    """The child: compute, send ("ok", value, "") or ("error", exception, traceback)."""
    receive.close()  # its copy of the parent's end: a send must fail once the parent is gone
    for signum in STOP_SIGNALS:  # the parent decides when the child ends
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by the parent for the fork
    _die_with(parent)
    try:
        message = ("ok", work(), "")
    except BaseException as err:  # every failure goes back to the parent
        text = traceback.format_exc()
        err.__traceback__ = None  # frames (and e.g. open progress bars) are not kept alive
        message = ("error", _sendable(err), text)
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


def _sendable(err: BaseException) -> BaseException | None:
    """`err` if it survives pickling both ways, else None (its text is sent instead)."""
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:
        return None
    return err


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent ends (Linux), and end at once if the
    parent already has."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the parent's stop() and exit still end it
        pass
    if os.getppid() != parent:
        os._exit(1)
