"""The record schema and the data config that maps a file onto it.

A record is one (sentence, actor) pair; a sentence with two actors is two records. It may
carry a `context`: text the sentence answers or comments on (for a government answer in
question time, the question), which models may read but which is never labelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haltung.errors import ConfigError

#: Record fields, in output order.
FIELDS = ("id", "doc_id", "text", "actor", "target", "label", "split", "context")
#: Fields whose column must exist in the file (unless mapped to null, where allowed).
REQUIRED = ("id", "doc_id", "text", "label")
#: Required fields that may be mapped to null: ids are then numbered, each record its own document.
GENERATED_WHEN_NULL = ("id", "doc_id")
#: The allowed values of the `split` field.
SPLITS = ("train", "dev", "test")
#: File formats by suffix.
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class DataSpec:
    """Where the data is and how its columns and labels map onto records."""

    path: Path
    name: str = "data"
    format: str = "auto"
    encoding: str = "utf-8"
    delimiter: str | None = None  # CSV/TSV field separator (None: ',' for CSV, a tab for TSV)
    columns: Mapping[str, str | None] = field(default_factory=lambda: {f: f for f in FIELDS})
    label_map: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.columns) - set(FIELDS)
        if unknown:
            raise ConfigError(
                f"data.columns names unknown record fields {sorted(unknown)}; "
                f"the fields are {', '.join(FIELDS)}."
            )
        for name in ("text", "label"):
            if not self.column(name):
                raise ConfigError(f"data.columns.{name} must name a column of the data file.")
        if self.delimiter is not None and (len(self.delimiter) != 1 or self.delimiter in '"\n\r'):
            raise ConfigError(
                f"data.delimiter {self.delimiter!r} must be one character that separates the "
                "fields of a CSV/TSV line, e.g. ';' (or '\\t' for a tab)."
            )
        if self.format != "auto" and self.format not in FORMATS.values():
            raise ConfigError(
                f"data.format '{self.format}' is not supported; use auto or one of "
                f"{', '.join(sorted(set(FORMATS.values())))}."
            )

    def column(self, name: str) -> str | None:
        """The source column of a record field (the field's own name when not configured)."""
        return self.columns.get(name, name)

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> DataSpec:
        if not cfg.get("path"):
            raise ConfigError("data.path is not set: point it at a data file or folder.")
        columns = {f: f for f in FIELDS} | dict(cfg.get("columns") or {})
        return cls(
            path=Path(str(cfg["path"])).expanduser(),
            name=str(cfg.get("name") or "data"),
            format=str(cfg.get("format") or "auto"),
            encoding=str(cfg.get("encoding") or "utf-8"),
            delimiter=_delimiter(cfg.get("delimiter")),
            columns={k: (None if v is None else str(v)) for k, v in columns.items()},
            label_map={str(k): str(v) for k, v in (cfg.get("label_map") or {}).items()},
        )


def _delimiter(value: object) -> str | None:
    """data.delimiter as a character: null is the format's own; '\\t' or 'tab' is a tab."""
    if value is None or value == "":
        return None
    text = str(value)
    return "\t" if text in ("\\t", "tab", "TAB") else text
