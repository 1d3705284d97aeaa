"""Articles in: a text file, a folder of .txt files, JSONL with `id` and `text` per line, or
standard input ("-")."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from haltung.data.loaders import decode_text, iter_jsonl, wide_encoding
from haltung.errors import DataError

__all__ = ["ENCODING_HINT", "STDIN", "Article", "decode_input", "read_articles", "split_lines"]

ENCODING_HINT = (
    "If the file is Latin-1 or Windows-1252, pass --encoding cp1252; or save it as UTF-8."
)
STDIN = "-"
"""The path that names standard input."""

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16/32 byte order marks (LE, BE)

Skipped = Callable[[str], None]
"""Told where an empty article was skipped (e.g. "a.jsonl, line 3 (id 'x')")."""


@dataclass(frozen=True)
class Article:
    """One input document."""

    id: str
    text: str


def decode_input(raw: bytes, encoding: str, where: str, hint: str = ENCODING_HINT) -> str:
    """Text input as a string; a `DataError` naming `where` (a file, "standard input") when it
    looks binary (NUL bytes, unless `encoding` is UTF-16/32) or is not valid `encoding`."""
    if b"\x00" in raw[:8192] and not wide_encoding(encoding):  # UTF-16/32 text holds NULs
        if raw.startswith(_WIDE_BOMS):
            raise DataError(f"{where} looks like UTF-16 text: pass --encoding utf-16.")
        raise DataError(
            f"{where} looks like a binary file, not text (UTF-16 text needs --encoding utf-16)."
        )
    return decode_text(raw, encoding, hint=hint, where=f"{where}, ")


def split_lines(text: str) -> list[str]:
    """The lines of `text`, split at "\\n" only (a trailing "\\r" dropped): U+2028, U+0085 and
    the other separators `str.splitlines` knows may be part of a line (inside a JSON string,
    or a Latin-1 byte)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def read_articles(
    path: str | Path, *, encoding: str = "utf-8", skipped: Skipped | None = None
) -> Iterator[Article]:
    """The articles at `path`, one at a time (JSONL is streamed: memory stays flat).

    A folder gives its .txt files (ids: the file names); a JSONL line without an `id` (missing,
    null or "") gets "<file>-<line>". "-" reads standard input: JSONL when its first non-blank
    line starts with "{", else one article (id "stdin"). In a folder or JSONL, an empty article
    is skipped and `skipped` told where (a warning when no `skipped` is given); input with no
    article that is not empty, binary or wrongly encoded input is a `DataError` that names the
    file (and the line).
    """
    if skipped is None:
        skipped = _warn_skipped
    if str(path) == STDIN:
        yield from _read_stdin(encoding, skipped)
        return
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
        if not files:
            raise DataError(f"{path} holds no .txt files to analyse.")
        articles = (Article(file.stem, _read_text(file, encoding)) for file in files)
        yield from _non_empty(articles, lambda a: str(path / f"{a.id}.txt"), skipped, path)
    elif not path.is_file():
        raise DataError(f"{path} does not exist: pass a .txt file, a folder of them, or JSONL.")
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _read_jsonl(
            path, iter_jsonl(path, encoding=encoding, hint=ENCODING_HINT), path.stem, skipped
        )
    else:
        text = _read_text(path, encoding)
        if not text.strip():
            raise DataError(f"{path} is empty: there is nothing to analyse.")
        yield Article(path.stem, text)


def _warn_skipped(where: str) -> None:
    warnings.warn(f"{where}: empty article skipped", stacklevel=3)


def _non_empty(
    articles: Iterable[Article], where: Callable[[Article], str], skipped: Skipped, name: object
) -> Iterator[Article]:
    """`articles` without the empty ones (each told to `skipped`); none left is an error."""
    seen = empty = 0
    for article in articles:
        if article.text.strip():
            seen += 1
            yield article
        else:
            empty += 1
            skipped(where(article))
    if not seen:
        what = f"only empty articles ({empty})" if empty else "no articles"
        raise DataError(f"{name} holds {what}: there is nothing to analyse.")


def _read_text(path: Path, encoding: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(f"Cannot read {path}: {err.strerror or err}") from None
    return decode_input(raw, encoding, str(path))


def _read_jsonl(
    name: str | Path, records: Iterable[tuple[int, dict]], stem: str, skipped: Skipped
) -> Iterator[Article]:
    line = 0  # of the article just read: a skipped one is reported before the next is read

    def articles() -> Iterator[Article]:
        nonlocal line
        for line, record in records:
            if not isinstance(record.get("text"), str):
                raise DataError(f"{name}, line {line}: expected an object with a `text` string.")
            given = record.get("id")
            doc_id = f"{stem}-{line}" if given is None or given == "" else str(given)
            yield Article(doc_id, record["text"])

    yield from _non_empty(articles(), lambda a: f"{name}, line {line} (id {a.id!r})", skipped, name)


def _read_stdin(encoding: str, skipped: Skipped) -> Iterator[Article]:
    name = "standard input"
    text = decode_input(sys.stdin.buffer.read(), encoding, name)
    lines = split_lines(text)
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("{"):
        yield from _read_jsonl(name, iter_jsonl(lines, name=name), "stdin", skipped)
    elif not first:
        raise DataError(f"{name} is empty: there is nothing to analyse.")
    else:
        yield Article("stdin", text)
