"""Train/dev/test splits: the corpus's own, grouped by document, or k folds."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from haltung.data.schema import SPLITS
from haltung.errors import ConfigError, DataError

METHODS = ("auto", "fixed", "grouped", "kfold")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fold:
    """Row positions of one train/dev/test partition (dev may be empty)."""

    name: str
    train: np.ndarray
    dev: np.ndarray
    test: np.ndarray

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "dev": len(self.dev), "test": len(self.test)}


def make_splits(
    frame: pd.DataFrame,
    method: str = "auto",
    test_size: float = 0.2,
    dev_size: float = 0.1,
    seed: int = 0,
) -> Fold:
    """One train/dev/test partition.

    `auto` uses the corpus's `split` column when every row has one, else `grouped`: a split
    stratified by label and grouped by `doc_id`, so that no document is in two splits.
    """
    if method not in METHODS or method == "kfold":
        raise ConfigError(f"split.method '{method}' has no single split; use make_folds for kfold.")
    has_split = bool((frame["split"] != "").all())
    if method == "fixed" or (method == "auto" and has_split):
        if not has_split:
            raise DataError(
                "split.method=fixed needs a `split` column (train/dev/test) in every row; "
                "use split=grouped to split by document instead."
            )
        split = frame["split"].to_numpy()
        parts = {name: np.flatnonzero(split == name) for name in SPLITS}
        for name in ("train", "test"):
            if len(parts[name]) == 0:
                raise DataError(f"The corpus's `split` column has no '{name}' rows.")
        return Fold("fixed", parts["train"], parts["dev"], parts["test"])
    _check_sizes(test_size, dev_size)
    everything = np.arange(len(frame))
    rest, test = _grouped_holdout(frame, everything, test_size, seed, ("test", test_size))
    if dev_size:
        share = dev_size / (1 - test_size)  # of the documents left after the test split
        train, dev = _grouped_holdout(frame, rest, share, seed, ("dev", dev_size))
    else:
        train, dev = rest, np.array([], dtype=int)
    return Fold("grouped", train, dev, test)


def make_folds(
    frame: pd.DataFrame, n_folds: int = 5, dev_size: float = 0.0, seed: int = 0
) -> list[Fold]:
    """k folds over documents (StratifiedGroupKFold); each fold tests on one part."""
    if n_folds < 2:
        raise ConfigError(f"split.n_folds must be at least 2, got {n_folds}.")
    n_docs = frame["doc_id"].nunique()
    if n_docs < n_folds:
        fix = f"use split.n_folds={n_docs} or fewer" if n_docs >= 2 else "it needs at least 2"
        raise DataError(
            f"split.n_folds={n_folds} needs at least {n_folds} documents (a document is never "
            f"split across folds), but the data has {n_docs}; {fix}."
        )
    splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    folds = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        parts = list(splitter.split(frame, frame["label"], groups=frame["doc_id"]))
    for k, (rest, test) in enumerate(parts, start=1):
        if dev_size:
            train, dev = _grouped_holdout(frame, rest, dev_size, seed, ("dev", dev_size))
        else:
            train, dev = rest, np.array([], dtype=int)
        folds.append(Fold(f"fold{k}", train, dev, test))
    return folds


def _grouped_holdout(
    frame: pd.DataFrame, rows: np.ndarray, size: float, seed: int, asked: tuple[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Hold out about `size` of `rows`, whole documents only, stratified by label.

    `asked` is the part and the setting behind `size` (("dev", split.dev_size)), for messages.
    At least one document is held out: where `size` is less than one document, one is.
    """
    part, value = asked
    setting = f"split.{part}_size={value}"
    n_docs = frame["doc_id"].iloc[rows].nunique()
    documents = "the data has" if part == "test" else "the test split leaves"
    if n_docs < 2:
        fix = (
            "use split.dev_size=0 (no dev split), or split=kfold with fewer folds"
            if part == "dev"
            else "give the records their documents (data.columns.doc_id), or a `split` column"
        )
        raise DataError(
            f"{setting} holds out whole documents for {part}, but {documents} only {n_docs} "
            f"document to split; {fix}."
        )
    n_splits = max(2, round(1 / size))
    if n_docs < n_splits:
        log.warning(
            "%s: %s only %d documents, too few to hold out that share for %s; one document "
            "(%.0f%%) is held out instead",
            setting,
            documents,
            n_docs,
            part,
            100 / n_docs,
        )
        n_splits = n_docs
    subset = frame.iloc[rows]
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        keep, held = next(splitter.split(subset, subset["label"], groups=subset["doc_id"]))
    return rows[keep], rows[held]


def _check_sizes(test_size: float, dev_size: float) -> None:
    if not 0 < test_size < 1 or not 0 <= dev_size < 1 or test_size + dev_size >= 1:
        raise ConfigError(
            f"split.test_size={test_size} and split.dev_size={dev_size} must lie in (0, 1) "
            "and leave rows for training."
        )
