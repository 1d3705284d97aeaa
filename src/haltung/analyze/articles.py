"""Articles in: a text file, a folder of .txt files, or JSONL with `id` and `text` per line."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from haltung.data.loaders import decode_text, iter_jsonl, wide_encoding
from haltung.errors import DataError

__all__ = ["ENCODING_HINT", "Article", "read_articles"]

ENCODING_HINT = (
    "If the file is Latin-1 or Windows-1252, pass --encoding cp1252; or save it as UTF-8."
)


@dataclass(frozen=True)
class Article:
    """One input document."""

    id: str
    text: str


def read_articles(path: str | Path, *, encoding: str = "utf-8") -> Iterator[Article]:
    """The articles at `path`, one at a time (JSONL is streamed: memory stays flat).

    A folder gives its .txt files (ids: the file names); a JSONL line without an `id` gets
    "<file>-<line>". Empty, binary or wrongly encoded input is a `DataError` that names the file
    (and the line).
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
        if not files:
            raise DataError(f"{path} holds no .txt files to analyse.")
        for file in files:
            yield Article(file.stem, _read_text(file, encoding))
    elif not path.is_file():
        raise DataError(f"{path} does not exist: pass a .txt file, a folder of them, or JSONL.")
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, encoding)
    else:
        yield Article(path.stem, _read_text(path, encoding))


def _read_text(path: Path, encoding: str) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"{path} is empty: there is nothing to analyse.")
    if b"\x00" in raw[:8192] and not wide_encoding(encoding):  # UTF-16/32 text holds NULs
        raise DataError(
            f"{path} looks like a binary file, not text (UTF-16 text needs --encoding utf-16)."
        )
    return decode_text(raw, encoding, hint=ENCODING_HINT, where=f"{path}, ")


def _read_jsonl(path: Path, encoding: str) -> Iterator[Article]:
    seen = 0
    for number, record in iter_jsonl(path, encoding=encoding, hint=ENCODING_HINT):
        if not isinstance(record.get("text"), str):
            raise DataError(f"{path}, line {number}: expected an object with a `text` string.")
        seen += 1
        yield Article(str(record.get("id") or f"{path.stem}-{number}"), record["text"])
    if not seen:
        raise DataError(f"{path} holds no articles.")
