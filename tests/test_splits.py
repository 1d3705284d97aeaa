"""Splits keep documents whole and stay stratified."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from haltung import harness
from haltung.config import compose
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


def test_too_few_documents_for_the_folds_names_the_setting(frame):
    small = frame[frame["doc_id"].isin(["d01", "d02", "d03"])].reset_index(drop=True)
    with pytest.raises(DataError) as caught:
        make_folds(small, n_folds=5)
    message = str(caught.value)
    assert "split.n_folds=5 needs at least 5 documents" in message and "has 3" in message
    assert "use split.n_folds=3 or fewer" in message


def test_a_share_under_one_document_holds_out_one_document(frame, caplog):
    """dev_size=0.1 of 7 documents left after the test split: one document, with a warning."""
    small = frame[frame["doc_id"].isin(sorted(set(frame["doc_id"]))[:9])].reset_index(drop=True)
    fallbacks = 0
    for seed in (1, 2, 3):
        with caplog.at_level(logging.WARNING, logger="haltung.data.splits"):
            fold = make_splits(small, "grouped", test_size=0.2, dev_size=0.1, seed=seed)
        assert len(docs(small, fold.dev)) == 1 and len(docs(small, fold.train)) >= 1
        assert not docs(small, fold.train) & docs(small, fold.dev)
        assert not (docs(small, fold.train) | docs(small, fold.dev)) & docs(small, fold.test)
        rest = len(docs(small, np.concatenate([fold.train, fold.dev])))
        warned = [r.getMessage() for r in caplog.records if r.name == "haltung.data.splits"]
        assert len(warned) == (rest < 8)  # 0.1 / (1 - 0.2): one of 8 parts
        if warned:
            fallbacks += 1
            assert warned[0].startswith(f"split.dev_size=0.1: the test split leaves only {rest} ")
            assert f"one document ({100 / rest:.0f}%) is held out instead" in warned[0]
        caplog.clear()
    assert fallbacks  # seed 1 leaves 7 documents


def test_a_dev_split_that_cannot_be_made_names_the_settings(frame):
    two = frame[frame["doc_id"].isin(["d01", "d02"])].reset_index(drop=True)
    with pytest.raises(DataError) as caught:
        make_splits(two, "grouped", test_size=0.2, dev_size=0.1, seed=1)
    message = str(caught.value)
    assert "split.dev_size=0.1" in message and "only 1 document" in message
    assert "split.dev_size=0 (no dev split)" in message and "split=kfold" in message
    fold = make_splits(two, "grouped", test_size=0.2, dev_size=0, seed=1)  # as it says
    assert len(docs(two, fold.train)) == len(docs(two, fold.test)) == 1
    one = frame[frame["doc_id"] == "d01"].reset_index(drop=True)
    with pytest.raises(DataError, match=r"split\.test_size=0\.2 holds out whole documents"):
        make_splits(one, "grouped", seed=1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_readme_sentiment_fixture_command_trains(seed):
    """`haltung-train task=sentiment data=sentiment_fixture model=tfidf_nb` (9 documents)."""
    cfg = compose(
        [
            "task=sentiment",
            "data=sentiment_fixture",
            "model=tfidf_nb",
            f"seed={seed}",
            "evaluation.bootstrap_samples=20",
        ]
    )
    outcome = harness.run(harness.prepare(cfg))
    assert outcome.evaluation.metrics["n"] == len(outcome.predictions) > 0
    assert outcome.dev is not None and outcome.dev.metrics["n"] > 0


@pytest.mark.parametrize(("test_size", "dev_size"), [(0, 0.1), (0.6, 0.5), (1.2, 0)])
def test_bad_sizes(frame, test_size, dev_size):
    with pytest.raises(ConfigError):
        make_splits(frame, "grouped", test_size=test_size, dev_size=dev_size)
