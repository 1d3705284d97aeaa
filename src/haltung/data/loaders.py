"""Read CSV, TSV, JSON, JSONL and Parquet files into validated records.

Every failure becomes a `DataError` that names the file, the row and the field. `iter_jsonl` is
the one JSONL line reader of the project (data sets, articles, sentences to predict).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from haltung.data.schema import FIELDS, FORMATS, SPLITS, DataSpec
from haltung.data.validation import Problem, check_columns, check_records
from haltung.errors import DataError

#: Internal columns that locate each row in its file, for error messages.
SOURCE, WHERE = "_source", "_where"
#: How to fix a data file that is not in its declared encoding.
ENCODING_HINT = (
    "Save the file as UTF-8 (e.g. `iconv -f cp1252 -t utf-8`), or set data.encoding to the "
    "file's real encoding"
)


@dataclass
class Dataset:
    """Validated records (one row per sentence-actor pair) and the files they came from."""

    frame: pd.DataFrame
    name: str
    files: dict[str, str] = field(default_factory=dict)  # path -> SHA-256

    @property
    def has_fixed_split(self) -> bool:
        return bool((self.frame["split"] != "").all())


def data_files(path: Path) -> list[Path]:
    """The data files at `path`: the file itself, or the supported files in a folder."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FORMATS)
        if not files:
            raise DataError(
                f"{path} holds no data file; expected files ending in {', '.join(sorted(FORMATS))}."
            )
        return files
    raise DataError(f"Data path {path} does not exist. Set data.path to a data file or folder.")


def load_dataset(spec: DataSpec, labels: tuple[str, ...]) -> Dataset:
    """Load every file of `spec`, map columns and labels, and validate the records.

    Raises `DataError` listing every problem found, before any model sees the data.
    """
    files = data_files(spec.path)
    frames, hashes, problems = [], {}, []
    for path in files:
        raw, digest = read_file(path, spec.format, spec.encoding, spec.delimiter)
        hashes[str(path)] = digest
        file_problems = check_columns(raw, spec, str(path))
        if file_problems:
            problems += file_problems
            continue
        frames.append(to_records(raw, spec, path))
    if problems:
        raise DataError(format_problems(problems))
    frame = pd.concat(frames, ignore_index=True)
    problems = check_records(frame, labels)
    if problems:
        raise DataError(format_problems(problems))
    return Dataset(frame=frame[list(FIELDS)].reset_index(drop=True), name=spec.name, files=hashes)


def read_file(
    path: Path, fmt: str = "auto", encoding: str = "utf-8", delimiter: str | None = None
) -> tuple[pd.DataFrame, str]:
    """Parse one file into a frame of strings with a `_where` column; return it and its SHA-256.

    `delimiter` separates the fields of CSV/TSV (default: ',' and a tab).
    """
    fmt = FORMATS.get(path.suffix.lower(), "") if fmt == "auto" else fmt
    if not fmt:
        raise DataError(
            f"{path}: cannot tell the format from the suffix '{path.suffix}'. "
            f"Set data.format to one of {', '.join(sorted(set(FORMATS.values())))}."
        )
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror or err}).") from err
    digest = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        raise DataError(f"{path} is empty: it holds no records.")
    try:
        if fmt in DELIMITERS:
            text = decode_text(raw, encoding, hint=ENCODING_HINT)
            frame = _parse_delimited(text, delimiter or DELIMITERS[fmt])
        else:
            frame = _PARSERS[fmt](raw, encoding)
    except DataError as err:
        raise DataError(f"{path}: {err}") from None
    except (ValueError, TypeError, OSError, IndexError, KeyError) as err:
        raise DataError(
            f"{path}: not a readable {fmt.upper()} file ({_first_line(err)})."
        ) from None
    if frame.empty:
        raise DataError(f"{path} holds no records (a header or container, but no rows).")
    return frame, digest


def to_records(raw: pd.DataFrame, spec: DataSpec, path: Path) -> pd.DataFrame:
    """Map a parsed file's columns and labels onto the record schema."""
    out = pd.DataFrame(index=raw.index)
    for name in FIELDS:
        column = spec.column(name)
        if column is not None and column in raw.columns:
            out[name] = raw[column].map(_as_text)
        elif name == "id" and column is None:
            out[name] = [f"{path.stem}-{i + 1}" for i in range(len(raw))]
        else:
            out[name] = ""
    if spec.column("doc_id") is None:
        out["doc_id"] = out["id"]
    out["label"] = out["label"].str.strip().map(lambda v: spec.label_map.get(v, v))
    out["split"] = out["split"].str.strip().str.lower().replace({"validation": "dev", "val": "dev"})
    if (out["split"] == "").all() and path.stem.lower() in {*SPLITS, "validation", "val"}:
        out["split"] = "dev" if path.stem.lower() in {"validation", "val"} else path.stem.lower()
    out[SOURCE] = str(path)
    out[WHERE] = raw[WHERE].to_numpy()
    return out


def format_problems(problems: list[Problem], shown: int = 8) -> str:
    """One paragraph that names each problem's file, row and field."""
    by_file: dict[str, list[str]] = {}
    for p in problems[:shown]:
        by_file.setdefault(p.source, []).append(p.describe())
    parts = [f"{source}: {'; '.join(items)}" for source, items in by_file.items()]
    more = f" ({len(problems) - shown} more problems not shown.)" if len(problems) > shown else ""
    return (
        f"The data is not valid. {' | '.join(parts)}.{more} "
        "Fix the file, or adjust the data config: data.columns.<field>=<column> maps columns, "
        "data.label_map maps labels."
    )


def decode_text(raw: bytes, encoding: str, hint: str, where: str = "", line: int = 1) -> str:
    """Bytes as text (a UTF-8 BOM dropped), or a `DataError` naming the line and the bad byte.

    `where` prefixes the message (e.g. "file.txt, "); `line` is the number of the first line of
    `raw`, for input read line by line; `hint` says how to fix it.
    """
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding
    try:
        return raw.decode(codec)
    except LookupError:
        raise DataError(f"{where}unknown encoding '{encoding}'") from None
    except UnicodeDecodeError as err:
        at = line + raw[: err.start].count(b"\n")
        raise DataError(
            f"{where}line {at}: bytes that are not valid {encoding} (0x{raw[err.start]:02x} at "
            f"byte {err.start}). {hint}"
        ) from None


def wide_encoding(encoding: str) -> bool:
    """UTF-16 or UTF-32: text whose bytes hold NULs, so a NUL does not mean binary data."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith(("utf-16", "utf-32"))


def _decoded_lines(handle: BinaryIO, encoding: str, hint: str, where: str) -> Iterator[str]:
    """The lines of a UTF-16/32 file as text (its bytes cannot be split at b"\\n")."""
    try:
        yield from io.TextIOWrapper(handle, encoding=encoding, newline="\n")
    except UnicodeDecodeError as err:  # decoded in blocks: the line is not known
        raise DataError(
            f"{where}bytes that are not valid {encoding} ({err.reason}). {hint}"
        ) from None


def iter_jsonl(
    source: Path | Iterable[bytes | str],
    *,
    encoding: str = "utf-8",
    hint: str = ENCODING_HINT,
    name: str | None = None,
) -> Iterator[tuple[int, dict]]:
    """The objects of JSONL, one line at a time, each with its 1-based line number.

    `source` is a file (streamed: memory stays flat) or its lines (bytes are decoded with
    `encoding`). Blank lines are skipped. Binary data, bytes not valid in `encoding` (`hint` says
    how to fix that), bad JSON and lines that are not objects raise a `DataError` that begins
    "<name>, line N:"; `name` defaults to the file's path, and "" leaves just "line N:".
    """
    if isinstance(source, Path):
        name = str(source) if name is None else name
        with source.open("rb") as handle:
            lines: Iterable[bytes | str] = handle
            if wide_encoding(encoding):
                lines = _decoded_lines(handle, encoding, hint, f"{name}, " if name else "")
            yield from iter_jsonl(lines, encoding=encoding, hint=hint, name=name)
        return
    where = f"{name}, " if name else ""
    for number, raw in enumerate(source, start=1):
        if ("\x00" if isinstance(raw, str) else b"\x00") in raw:
            raise DataError(f"{where}line {number}: binary data, not JSON text.")
        line = raw if isinstance(raw, str) else decode_text(raw, encoding, hint, where, number)
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(f"{where}line {number}: not valid JSON ({err.msg}).") from None
        if not isinstance(record, dict):
            raise DataError(
                f"{where}line {number}: expected a JSON object, found {type(record).__name__}."
            )
        yield number, record


def _parse_jsonl(raw: bytes, encoding: str) -> pd.DataFrame:
    records, lines = [], []
    source: Iterable[bytes | str] = io.BytesIO(raw)
    if wide_encoding(encoding):  # its bytes cannot be split at b"\n"
        source = decode_text(raw, encoding, hint=ENCODING_HINT).split("\n")
    for number, record in iter_jsonl(source, encoding=encoding, name=""):
        records.append(record)
        lines.append(f"line {number}")
    return _normalise(records, lines)


def _parse_json(raw: bytes, encoding: str) -> pd.DataFrame:
    text = decode_text(raw, encoding, hint=ENCODING_HINT)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"line {err.lineno}: not valid JSON ({err.msg})") from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise DataError("expected a JSON array of records (or an object holding one array)")
        data = lists[0]
    if not isinstance(data, list):
        raise DataError(f"expected a JSON array of records, found {type(data).__name__}")
    bad = next((i for i, r in enumerate(data, start=1) if not isinstance(r, dict)), None)
    if bad is not None:
        raise DataError(f"record {bad}: expected a JSON object")
    return _normalise(data, [f"record {i}" for i in range(1, len(data) + 1)])


def _normalise(records: list[dict], where: list[str]) -> pd.DataFrame:
    """Flatten nested objects into dotted columns (`sentiment.polarity`)."""
    frame = pd.json_normalize(records) if records else pd.DataFrame()
    frame[WHERE] = where
    return frame


def _parse_delimited(text: str, sep: str) -> pd.DataFrame:
    frame = pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=True
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    lines = _record_lines(text, sep)
    if len(lines) == len(frame):
        frame[WHERE] = [f"row {i} (line {n})" for i, n in enumerate(lines, start=1)]
    else:  # the csv module reads it otherwise than pandas: the rows are still right
        frame[WHERE] = [f"row {i}" for i in range(1, len(frame) + 1)]
    return frame


def _record_lines(text: str, sep: str) -> list[int]:
    """The line on which each record (after the header) starts; a quoted field may span lines,
    blank lines are skipped (as pandas does). [] when the csv module cannot read it."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    starts, read = [], 0
    try:
        for row in reader:
            if row:
                starts.append(read + 1)
            read = reader.line_num
    except csv.Error:
        return []
    return starts[1:]


def _parse_parquet(raw: bytes, _: str) -> pd.DataFrame:
    frame = pd.read_parquet(io.BytesIO(raw))
    frame.columns = [str(c) for c in frame.columns]
    frame[WHERE] = [f"row {i}" for i in range(1, len(frame) + 1)]
    return frame


_PARSERS = {"jsonl": _parse_jsonl, "json": _parse_json, "parquet": _parse_parquet}
#: The field separator of each delimited format, unless data.delimiter says otherwise.
DELIMITERS = {"csv": ",", "tsv": "\t"}


def _as_text(value: object) -> str:
    """Cell value as text: missing values become '', numbers keep their digits."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


__all__ = [
    "Dataset",
    "data_files",
    "format_problems",
    "iter_jsonl",
    "load_dataset",
    "read_file",
    "to_records",
]
