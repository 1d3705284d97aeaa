"""The real-text sources HaltungReal annotates, read as their dataset cards lay them out.

    <source>/bundestag-fragestunde/fragestunde.jsonl   answer turns, one per line (id, answer, …)
    <source>/gerntsa/GerNTSA.json                      a JSON list of snippets (id, snippet, …)

GerNTSA can also come straight from its public upstream (CC BY 4.0), pinned to a commit.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from haltung.errors import DataError

FRAGESTUNDE = "bundestag-fragestunde"
GERNTSA = "gerntsa"
#: Where each source's file lies under the source folder.
FILES = {
    FRAGESTUNDE: Path("bundestag-fragestunde/fragestunde.jsonl"),
    GERNTSA: Path("gerntsa/GerNTSA.json"),
}
GERNTSA_UPSTREAM = (
    "https://raw.githubusercontent.com/cgoer/GerNTSA/"
    "46b82e96e1568539bad86444c77355a60e1350c4/GerNTSA.json"
)


def source_file(source_dir: Path, source: str) -> Path:
    """The file of `source` under `source_dir`; a `DataError` saying what to do if it is missing."""
    path = Path(source_dir).expanduser() / FILES[source]
    if path.is_file():
        return path
    fetch = (
        " GerNTSA can be downloaded from its upstream with `haltung data fetch gerntsa`."
        if source == GERNTSA
        else ""
    )
    raise DataError(
        f"The source file {path} is missing. Pass the folder that holds "
        f"{FILES[source]} (laid out as its dataset card describes) with --source, or set "
        f"HALTUNG_SOURCES.{fetch}"
    )


def fragestunde_answers(path: Path) -> dict[str, dict]:
    """Answer turns by id: the answer, the question it replies to, the speaker and the sitting."""
    rows: dict[str, dict] = {}
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if line.strip():
            row = _json(line, path, number)
            rows[str(row["id"])] = row
    return rows


def gerntsa_snippets(path: Path) -> dict[str, dict]:
    """GerNTSA rows by id (a duplicated id holds the same snippet)."""
    data = _json(_text(path), path, 1)
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON list of snippets, found {type(data).__name__}.")
    return {str(row["id"]): row for row in data}


#: How each source is read, and which of its fields holds the annotated text.
READERS: dict[str, tuple[Callable[[Path], dict[str, dict]], str]] = {
    FRAGESTUNDE: (fragestunde_answers, "answer"),
    GERNTSA: (gerntsa_snippets, "opinion_snippet"),
}


def fetch_gerntsa(target_dir: Path, url: str = GERNTSA_UPSTREAM, timeout: float = 30) -> Path:
    """Download GerNTSA.json into `target_dir/gerntsa/` (atomically); return its path."""
    target = Path(target_dir).expanduser() / FILES[GERNTSA]
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            raw = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise DataError(
            f"GerNTSA could not be downloaded from {url} ({getattr(err, 'reason', err)}). "
            "Without network, copy GerNTSA.json into <source>/gerntsa/ by hand."
        ) from None
    partial = target.with_suffix(f".part{os.getpid()}")
    partial.write_bytes(raw)
    try:
        gerntsa_snippets(partial)  # a download that is not the data set fails here, not later
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _text(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror or err}).") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 ({err.reason} at byte {err.start}).") from None


def _json(text: str, path: Path, line: int):
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        at = line + err.lineno - 1
        raise DataError(f"{path}, line {at}: not valid JSON ({err.msg}).") from None
