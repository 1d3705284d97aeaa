"""Data configs → datasets: one corpus, several corpora trained together, and test sets.

A data config is either one corpus (`path`, `format`, `columns`, `label_map`, …) or a
combination of corpora under `corpora`, each with its own mapping. A corpus with a `build`
section is made from stand-off annotations (`haltung.data.standoff`) when its files are
missing or older than the annotations.

A corpus's name belongs to its files: a shipped config says where they are (`home`), and the
task's test sets are known by name; data called so that is elsewhere and holds other files
(`data.path` pointed at a user's own file) is named after its file.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from haltung.data.loaders import Dataset, data_files, load_dataset
from haltung.data.schema import DataSpec
from haltung.errors import DataError

log = logging.getLogger(__name__)
#: The column that names each record's corpus.
CORPUS = "corpus"


class CorpusMissing(DataError):
    """A corpus whose files are not there and cannot be built here."""


def load_data(
    cfg: Mapping[str, Any],
    labels: tuple[str, ...],
    known: Mapping[str, Mapping[str, Any]] | None = None,
) -> Dataset:
    """The training data of a data config: one corpus, or its `corpora` together.

    `known` are the configs of corpora with a name of their own (the task's test sets): a
    corpus called like one of them keeps that name only when it holds that corpus's files.
    """
    corpora = cfg.get("corpora")
    if not corpora:
        return load_corpus(cfg, labels, known)
    parts = [load_corpus(spec, labels, known) for spec in corpora.values()]
    frame = pd.concat([p.frame for p in parts], ignore_index=True)
    clash = frame.loc[frame["id"].duplicated(keep=False)]
    if len(clash):
        where = clash.groupby("id")[CORPUS].apply(lambda c: " and ".join(c)).head(3)
        shown = "; ".join(f"'{i}' in {c}" for i, c in where.items())
        raise DataError(f"Record ids must be unique across the corpora of a data config: {shown}.")
    files = {path: digest for p in parts for path, digest in p.files.items()}
    return Dataset(frame=frame, name=str(cfg.get("name") or "data"), files=files)


def load_corpus(
    cfg: Mapping[str, Any],
    labels: tuple[str, ...],
    known: Mapping[str, Mapping[str, Any]] | None = None,
) -> Dataset:
    """One corpus, built first when it is made from stand-off annotations; named after its path
    when its name belongs to other files (`own_name`)."""
    ensure_built(cfg)
    dataset = load_dataset(DataSpec.from_config(cfg), labels)
    dataset.name = own_name(dataset, cfg, known or {})
    dataset.frame[CORPUS] = dataset.name
    return dataset


def own_name(dataset: Dataset, cfg: Mapping[str, Any], known: Mapping[str, Any]) -> str:
    """The data config's name, when it is this data's; otherwise (`data.path` pointed at other
    files) the name of the path's file.

    A name is checked when the config's `home` ({name: path}) says where the data of that name
    lives, or when it is a `known` corpus's (a test set's): it stays when the data is at that
    path or holds the same files.
    """
    name = dataset.name
    homes = {str(k): {"path": v} for k, v in (cfg.get("home") or {}).items()}
    home = homes.get(name) or known.get(name)
    built = (cfg.get("build") or {}).get("output")  # built here from the corpus's own labels
    if home is None or any(_same_path(cfg["path"], p) for p in (home.get("path"), built)):
        return name
    if holds(dataset, home):
        return name
    own = path_name(Path(str(cfg["path"])).expanduser(), taken={name, *homes, *known})
    log.info(
        "%s is not %s: the data is called '%s' (data.name=<name> names it otherwise)",
        cfg["path"],
        name,
        own,
    )
    return own


def _same_path(a: object, b: object) -> bool:
    return (
        bool(a and b) and Path(str(a)).expanduser().resolve() == Path(str(b)).expanduser().resolve()
    )


def holds(dataset: Dataset, cfg: Mapping[str, Any]) -> bool:
    """Whether `dataset` was read from every file of the corpus `cfg` (same content). A file
    the dataset was read from is not read again: its hash is known."""
    path = Path(str(cfg.get("path") or "")).expanduser()
    if not str(cfg.get("path") or "") or not path.exists():
        return False
    read = {str(Path(p).resolve()): digest for p, digest in dataset.files.items()}
    try:
        theirs = {
            read.get(str(f.resolve())) or hashlib.sha256(f.read_bytes()).hexdigest()
            for f in data_files(path)
        }
    except (DataError, OSError):
        return False
    return theirs <= set(dataset.files.values())


def path_name(path: Path, taken: set[str]) -> str:
    """A dataset's name from its path: the file's stem or the folder's name (the file name, or
    `own_<name>`, when that is a name `taken` by another corpus)."""
    for name in (path.stem if path.suffix else path.name, path.name, f"own_{path.name}"):
        if name and name not in taken:
            return name
    return "data"


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
