"""Rows out, one article at a time: a console table, CSV, JSONL or the HTML report."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, TextIO

import pandas as pd

from haltung.analyze.report import HtmlReport
from haltung.errors import DataError

__all__ = ["FORMATS", "RowWriter", "atomic_output", "open_writer"]


class RowWriter(Protocol):
    """Writes one article's rows at a time; `close` finishes the output (not the stream)."""

    def write(self, rows: pd.DataFrame) -> None: ...

    def close(self) -> None: ...


class TableWriter:
    """A rich table per article."""

    def __init__(self, out: TextIO):
        from rich.console import Console

        self.console = Console(file=out, soft_wrap=False)

    def write(self, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        from rich.table import Table

        view = Table(title=str(rows["doc_id"].iloc[0]), show_lines=False)
        for column in ("#", "sentence", "actor", "entity", "stance", "score", "reason"):
            view.add_column(column, overflow="fold")
        for row in rows.itertuples():
            entity = "" if row.entity == row.actor else row.entity  # shown where it differs
            view.add_row(
                str(row.sentence_index),
                row.sentence,
                row.actor,
                entity,
                row.stance,
                f"{row.score:.2f}",
                row.reason,
            )
        self.console.print(view)

    def close(self) -> None:
        pass


class CsvWriter:
    """CSV with one header line."""

    def __init__(self, out: TextIO):
        self.out = out
        self.header = True

    def write(self, rows: pd.DataFrame) -> None:
        rows.to_csv(self.out, index=False, header=self.header)
        self.header = False

    def close(self) -> None:
        pass


class JsonlWriter:
    """One JSON object per row."""

    def __init__(self, out: TextIO):
        self.out = out

    def write(self, rows: pd.DataFrame) -> None:
        for record in rows.to_dict(orient="records"):
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        pass


FORMATS: dict[str, Callable[[TextIO], RowWriter]] = {
    "table": TableWriter,
    "csv": CsvWriter,
    "jsonl": JsonlWriter,
    "html": HtmlReport,
}


def open_writer(fmt: str, out: TextIO, *, about: Mapping[str, Any] | None = None) -> RowWriter:
    """The writer of `fmt` (one of `FORMATS`) on `out`; `about` (the model and the version that
    made the rows, see `HtmlReport`) heads the HTML report."""
    if fmt == "html":
        return HtmlReport(out, about=about)
    return FORMATS[fmt](out)


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[TextIO]:
    """A text stream (UTF-8) that becomes the file `path` only when the block succeeds.

    It is written as a temporary file in the same folder and moved into place at the end, so a
    failure leaves no partial file and an existing `path` untouched. Something that is not a
    regular file (/dev/stdout, a named pipe) is written to directly.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as out:
            yield out
        return
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise DataError(f"Cannot write {path}: {err.strerror or err}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
