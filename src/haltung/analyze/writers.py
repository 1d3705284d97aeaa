"""Rows out, one article at a time: a console table, CSV, JSONL or the HTML report."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import pandas as pd

from haltung.analyze.report import HtmlReport
from haltung.errors import DataError

if TYPE_CHECKING:
    from rich.text import Text

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "RowWriter",
    "atomic_output",
    "check_output",
    "open_writer",
    "output_format",
    "plain",
]

SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".html": "html", ".htm": "html"}
"""The format an output file's suffix names."""


def plain(value: object) -> Text:
    """`value` as Rich text shown exactly as it is: no markup ("[b]"), emoji codes or
    highlighting read into it (article text, actors, ids)."""
    from rich.text import Text

    return Text(str(value))


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

        view = Table(title=plain(rows["doc_id"].iloc[0]), show_lines=False)
        for column in ("#", "sentence", "actor", "entity", "stance", "score", "reason"):
            view.add_column(column, overflow="fold")
        for row in rows.itertuples():
            entity = "" if row.entity == row.actor else row.entity  # shown where it differs
            cells = (row.sentence_index, row.sentence, row.actor, entity, row.stance)
            view.add_row(*map(plain, cells), f"{row.score:.2f}", plain(row.reason))
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
    if path.is_dir():
        raise DataError(f"Cannot write {path}: it is a folder; name a file in it instead.")
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


def output_format(fmt: str | None, output: str | Path | None) -> str:
    """The format to write: `fmt` when given, else the one the suffix of `output` names
    (`SUFFIXES`), else "table". A suffix of another format than `fmt` is a `DataError`."""
    suffix = Path(output).suffix.lower() if output else ""
    implied = SUFFIXES.get(suffix)
    if suffix == ".parquet":
        raise DataError(
            f"--output {output}: Parquet is written by --engine spark (to a folder); here name "
            "a .csv, .jsonl or .html file."
        )
    if fmt is None:
        return implied or "table"
    if implied and implied != fmt:
        raise DataError(
            f"--format {fmt} does not match --output {output} ({implied}): drop --format to "
            f"write {implied}, or give the file a suffix that fits {fmt}."
        )
    return fmt


def check_output(output: str | Path, inputs: str | Path) -> None:
    """A `DataError` when `output` cannot be written as a file or would replace the input: a
    folder, the input file itself (by any path or link), or a .txt file of the input folder."""
    output, inputs = Path(output), Path(inputs)
    if output.is_dir():
        raise DataError(
            f"--output {output} is a folder: name a file, e.g. {output / 'stances.csv'}."
        )
    if str(inputs) == "-" or not inputs.exists():
        return
    target = output.resolve()
    if inputs.is_dir():
        same = target.parent == inputs.resolve() and target.suffix.lower() == ".txt"
        same = same and target.is_file()  # one of the articles read
    else:
        same = target == inputs.resolve() or (output.exists() and output.samefile(inputs))
    if same:
        raise DataError(
            f"--output {output} would overwrite the input {inputs}: write somewhere else."
        )
