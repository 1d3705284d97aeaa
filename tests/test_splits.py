"""Splits keep documents whole and stay stratified."""

from __future__ import annotations

import numpy as np
import pytest

from haltung.data import DataSpec, load_dataset, make_folds, make_splits
from haltung.errors import ConfigError, DataError

STANCE = ("supportive", "critical", "evasive", "none")


@pytest.fixture(scope="module")
def frame(stance_path):
    return load_dataset(DataSpec(path=stance_path), STANCE).frame


def docs(frame, rows):
    return set(frame["doc_id"].iloc[rows])


def test_grouped_split_keeps_documents_whole(frame):
    fold = make_splits(frame, "auto", test_size=0.2, dev_size=0.1, seed=1)
    assert fold.name == "grouped"
    assert sorted(np.concatenate([fold.train, fold.dev, fold.test]).tolist()) == list(
        range(len(frame))
    )
    assert not docs(frame, fold.train) & docs(frame, fold.test)
    assert not docs(frame, fold.train) & docs(frame, fold.dev)
    assert not docs(frame, fold.dev) & docs(frame, fold.test)
    assert 0.1 < len(fold.test) / len(frame) < 0.35
    assert set(frame["label"].iloc[fold.test]) == set(STANCE)


def test_grouped_split_depends_on_seed_and_is_reproducible(frame):
    a, b = make_splits(frame, "grouped", seed=1), make_splits(frame, "grouped", seed=1)
    c = make_splits(frame, "grouped", seed=2)
    assert a.test.tolist() == b.test.tolist()
    assert a.test.tolist() != c.test.tolist()


def test_fixed_split_uses_the_split_column(frame):
    labelled = frame.copy()
    labelled["split"] = np.where(labelled["doc_id"] < "d18", "train", "test")
    fold = make_splits(labelled, "auto")
    assert fold.name == "fixed" and len(fold.dev) == 0
    assert (labelled["split"].iloc[fold.test] == "test").all()


def test_fixed_split_without_split_column_is_an_error(frame):
    with pytest.raises(DataError, match="needs a `split` column"):
        make_splits(frame, "fixed")


def test_kfold_tests_every_row_once(frame):
    folds = make_folds(frame, n_folds=4, seed=3)
    tested = np.concatenate([f.test for f in folds])
    assert sorted(tested.tolist()) == list(range(len(frame)))
    for fold in folds:
        assert not docs(frame, fold.train) & docs(frame, fold.test)


def test_too_few_documents(frame):
    small = frame[frame["doc_id"].isin(["d01", "d02", "d03"])].reset_index(drop=True)
    with pytest.raises(DataError, match="Only 3 documents"):
        make_folds(small, n_folds=5)


@pytest.mark.parametrize(("test_size", "dev_size"), [(0, 0.1), (0.6, 0.5), (1.2, 0)])
def test_bad_sizes(frame, test_size, dev_size):
    with pytest.raises(ConfigError):
        make_splits(frame, "grouped", test_size=test_size, dev_size=dev_size)
