"""Figures for a run: the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def confusion_matrix_png(
    confusion: np.ndarray, labels: Sequence[str], path: Path, title: str = ""
) -> Path:
    """Draw the confusion matrix (gold rows, predicted columns) into a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    fig, ax = plt.subplots(figsize=(1.4 * len(labels) + 2, 1.2 * len(labels) + 1.5), dpi=120)
    ConfusionMatrixDisplay(confusion, display_labels=list(labels)).plot(
        ax=ax, cmap="Blues", colorbar=False, values_format="d"
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
