"""Figures for a run: the confusion matrix, drawn here or in a forked process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from haltung.forking import in_child

log = logging.getLogger(__name__)


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


@contextmanager
def draw_in_background(figures: Sequence[ConfusionFigure]) -> Iterator[Callable[[], list[Path]]]:
    """Draw `figures` in a forked process (`haltung.forking.in_child`), so that importing
    matplotlib and rendering run beside the caller's own work; yields a function that waits for
    them and returns their paths. Leaving the block ends the drawing process.

    Whatever goes wrong there (no fork on this platform, the process failed or was stopped),
    the figures are drawn again here when waited for, so the caller always gets them.
    """
    figures = list(figures)
    child = in_child(lambda: [f.draw() for f in figures], name="haltung-plots") if figures else None

    def paths() -> list[Path]:
        if child is not None:
            try:
                drawn = child.result()
            except Exception as err:  # drawn here instead (a bug then shows again)
                log.debug("Drawing in a forked process failed (%s); drawing here", err)
            else:
                if all(path.is_file() for path in drawn):
                    return drawn
        return [figure.draw() for figure in figures]

    try:
        yield paths
    finally:
        if child is not None:
            child.stop()
