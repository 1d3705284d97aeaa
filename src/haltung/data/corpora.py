"""Data configs → datasets: one corpus, several corpora trained together, and test sets.

A data config is either one corpus (`path`, `format`, `columns`, `label_map`, …) or a
combination of corpora under `corpora`, each with its own mapping. A corpus with a `build`
section is made from stand-off annotations (`haltung.data.standoff`) when its files are
missing or older than the annotations.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from haltung.data.loaders import Dataset, load_dataset
from haltung.data.schema import DataSpec
from haltung.errors import DataError

log = logging.getLogger(__name__)
#: The column that names each record's corpus.
CORPUS = "corpus"


class CorpusMissing(DataError):
    """A corpus whose files are not there and cannot be built here."""


def load_data(cfg: Mapping[str, Any], labels: tuple[str, ...]) -> Dataset:
    """The training data of a data config: one corpus, or its `corpora` together."""
    corpora = cfg.get("corpora")
    if not corpora:
        return load_corpus(cfg, labels)
    parts = [load_corpus(spec, labels) for spec in corpora.values()]
    frame = pd.concat([p.frame for p in parts], ignore_index=True)
    clash = frame.loc[frame["id"].duplicated(keep=False)]
    if len(clash):
        where = clash.groupby("id")[CORPUS].apply(lambda c: " and ".join(c)).head(3)
        shown = "; ".join(f"'{i}' in {c}" for i, c in where.items())
        raise DataError(f"Record ids must be unique across the corpora of a data config: {shown}.")
    files = {path: digest for p in parts for path, digest in p.files.items()}
    return Dataset(frame=frame, name=str(cfg.get("name") or "data"), files=files)


def load_corpus(cfg: Mapping[str, Any], labels: tuple[str, ...]) -> Dataset:
    """One corpus, built first when it is made from stand-off annotations."""
    ensure_built(cfg)
    dataset = load_dataset(DataSpec.from_config(cfg), labels)
    dataset.frame[CORPUS] = dataset.name
    return dataset


def load_test_set(cfg: Mapping[str, Any], labels: tuple[str, ...]) -> Dataset | None:
    """The test split of a corpus (all of it when it has no split), or None with a warning when
    the corpus is not available here (e.g. HaltungReal without its sources)."""
    try:
        ensure_built(cfg)
        if not Path(str(cfg.get("path") or "")).expanduser().exists():
            raise CorpusMissing(f"{cfg.get('path')} does not exist")
    except CorpusMissing as err:
        log.warning("test set %s skipped: %s", cfg.get("name"), err)
        return None
    dataset = load_corpus(cfg, labels)
    frame = dataset.frame
    if (frame["split"] != "").any():
        frame = frame[frame["split"] == "test"].reset_index(drop=True)
    if frame.empty:
        log.warning("test set %s skipped: it has no test records", dataset.name)
        return None
    return Dataset(frame=frame, name=dataset.name, files=dataset.files)


def ensure_built(cfg: Mapping[str, Any]) -> None:
    """Build a corpus from its stand-off annotations if its files are missing or stale."""
    from haltung.data.sources import source_file
    from haltung.data.standoff import build_corpus, is_current, read_annotations

    build = cfg.get("build")
    if not build:
        return
    annotations = Path(str(build["annotations"]))
    output = Path(str(build["output"]))
    if not annotations.is_file():
        raise CorpusMissing(f"the annotations of {cfg.get('name')} ({annotations}) are missing")
    if is_current(output, annotations):
        return
    source = Path(str(build.get("source") or "")).expanduser()
    command = f"haltung data build {build.get('corpus', cfg.get('name'))} --source DIR"
    state = "is out of date" if output.exists() else "has not been built"
    if not str(build.get("source") or "") or not source.is_dir():
        raise CorpusMissing(
            f"{cfg.get('name')} {state}, and its sources are not at '{source}'. Run `{command}` "
            "with the folder that holds the source data sets, or set HALTUNG_SOURCES."
        )
    try:
        for name in sorted({r["source"] for r in read_annotations(annotations)}):
            source_file(source, name)
    except DataError as err:
        raise CorpusMissing(f"{cfg.get('name')} {state}: {err}") from None
    log.info("building %s from %s into %s", cfg.get("name"), source, output)
    build_corpus(annotations, source, output)
