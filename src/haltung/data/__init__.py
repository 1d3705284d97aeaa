"""Records, loaders, validation and splits: everything between a data file and a model."""

from haltung.data.loaders import Dataset, load_dataset
from haltung.data.schema import FIELDS, SPLITS, DataSpec
from haltung.data.splits import Fold, make_folds, make_splits

__all__ = [
    "FIELDS",
    "SPLITS",
    "DataSpec",
    "Dataset",
    "Fold",
    "load_dataset",
    "make_folds",
    "make_splits",
]
