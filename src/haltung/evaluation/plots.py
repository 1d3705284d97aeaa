"""Figures for a run: the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


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
