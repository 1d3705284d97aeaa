"""Figures for a run: the confusion matrix, drawn here or in a forked process."""

from __future__ import annotations

import gc
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class ConfusionFigure:
    """One confusion-matrix PNG to draw."""

    confusion: np.ndarray
    labels: tuple[str, ...]
    path: Path
    title: str = ""

    def draw(self) -> Path:
        return confusion_matrix_png(self.confusion, self.labels, self.path, self.title)


def confusion_matrix_png(
    confusion: np.ndarray, labels: Sequence[str], path: Path, title: str = ""
) -> Path:
    """Draw the confusion matrix (gold rows, predicted columns, counts in the cells) as a PNG.

    Drawn on a bare Agg canvas (no pyplot state, no layout engine): a run draws one per
    scored split, so this stays cheap.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = len(labels)
    fig = Figure(figsize=(1.2 * n + 2, n + 1.6), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.28, 0.25, 0.68, 0.63 if title else 0.7))
    ax.imshow(confusion, cmap="Blues", interpolation="nearest", aspect="auto")
    threshold = confusion.max() / 2 if confusion.size else 0
    for (i, j), count in np.ndenumerate(confusion):
        colour = "white" if count > threshold else "black"
        ax.text(j, i, f"{count:d}", ha="center", va="center", color=colour)
    ax.set_xticks(range(n), list(labels), rotation=45, ha="right")
    ax.set_yticks(range(n), list(labels))
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    if title:
        ax.set_title(title, fontsize=9)
    fig.savefig(path)
    return path


def draw_in_background(figures: Sequence[ConfusionFigure]) -> Callable[[], list[Path]]:
    """Start drawing `figures` in a forked process, so that importing matplotlib and rendering
    run beside the caller's own work; the returned function waits for them and returns their
    paths.

    Whatever goes wrong there (no fork on this platform, the process failed or was stopped),
    the figures are drawn again here when waited for, so the caller always gets them. A stop
    signal ends the drawing process at once; it never touches the caller's run.
    """
    figures = list(figures)
    process = None
    if figures and sys.platform.startswith("linux"):
        import multiprocessing

        sys.stdout.flush()  # the child must not write the parent's buffered output again
        sys.stderr.flush()
        gc.freeze()  # the child's collections then leave the parent's objects (and pages) alone
        try:
            process = multiprocessing.get_context("fork").Process(
                target=_draw_all, args=(figures,), name="haltung-plots", daemon=True
            )
            process.start()
        except (OSError, ValueError):  # cannot fork: draw when waited for
            process = None
        finally:
            gc.unfreeze()

    def wait() -> list[Path]:
        if process is not None:
            process.join()
            if process.exitcode == 0 and all(f.path.is_file() for f in figures):
                return [f.path for f in figures]
        return [figure.draw() for figure in figures]

    return wait


def _draw_all(figures: Sequence[ConfusionFigure]) -> None:
    """The drawing process: stop signals end it at once (the parent handles its own)."""
    for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, signal.SIG_DFL)
    for figure in figures:
        figure.draw()
