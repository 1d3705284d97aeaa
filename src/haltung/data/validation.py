"""Checks that run before any training: columns, text, labels, ids, splits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from haltung.data.schema import GENERATED_WHEN_NULL, REQUIRED, SPLITS, DataSpec

_SOURCE, _WHERE = "_source", "_where"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: where it is and what it is."""

    source: str
    where: str
    field: str
    message: str

    def describe(self) -> str:
        where = f"{self.where}, " if self.where else ""
        return f"{where}field '{self.field}': {self.message}"


def check_columns(raw: pd.DataFrame, spec: DataSpec, source: str) -> list[Problem]:
    """Every required record field must have its column in the file."""
    present = [c for c in raw.columns if c != _WHERE]
    glued = _glued_header(present)
    problems = []
    for name in REQUIRED:
        column = spec.column(name)
        if column is None and name in GENERATED_WHEN_NULL:
            continue
        if column not in raw.columns and glued:
            return [Problem(source, "line 1", name, f"column '{column}' is missing: {glued}")]
        if column not in raw.columns:
            problems.append(
                Problem(
                    source,
                    "",
                    name,
                    f"column '{column}' is missing (the file has: {', '.join(present[:12])}"
                    f"{', …' if len(present) > 12 else ''}); set data.columns.{name} to the "
                    "column that holds it",
                )
            )
    return problems


def _glued_header(present: list[str]) -> str:
    """Why a delimited file reads as one column whose name holds another separator (a German
    Excel CSV: `id;doc_id;text`), and the setting that reads it; "" when it does not."""
    if len(present) != 1:
        return ""
    for sep, shown, key, value in (
        (";", "';'", "delimiter", "';'"),
        ("\t", "tabs", "format", "tsv"),
        ("|", "'|'", "delimiter", "'|'"),
        (",", "','", "delimiter", "','"),
    ):
        if sep in present[0]:
            return (
                f"the header '{present[0][:60]}' is read as one column: its fields are separated "
                f"by {shown}. Set `{key}: {value}` in the data config, or add "
                f'"++data.{key}={value}" to the command'
            )
    return ""


def check_records(frame: pd.DataFrame, labels: tuple[str, ...]) -> list[Problem]:
    """Row-level checks over all files together; returns every problem found."""
    problems: list[Problem] = []

    def add(mask: pd.Series, field: str, message) -> None:
        for _, row in frame[mask].iterrows():
            text = message(row) if callable(message) else message
            problems.append(Problem(row[_SOURCE], row[_WHERE], field, text))

    add(frame["text"].str.strip() == "", "text", "the text is empty")
    add(frame["id"].str.strip() == "", "id", "the id is empty")
    add(frame["doc_id"].str.strip() == "", "doc_id", "the document id is empty")
    add(frame["label"] == "", "label", "the label is empty")
    allowed = ", ".join(labels)
    add(
        (frame["label"] != "") & ~frame["label"].isin(labels),
        "label",
        lambda row: f"unknown label '{row['label']}' (allowed: {allowed})",
    )
    add(
        (frame["split"] != "") & ~frame["split"].isin(SPLITS),
        "split",
        lambda row: f"unknown split '{row['split']}' (allowed: {', '.join(SPLITS)})",
    )
    first_seen = frame.drop_duplicates("id").set_index("id")[_WHERE]
    duplicated = frame["id"].duplicated(keep="first") & (frame["id"].str.strip() != "")
    add(
        duplicated,
        "id",
        lambda row: f"duplicate id '{row['id']}' (first used at {first_seen[row['id']]})",
    )
    has_split = frame["split"] != ""
    if has_split.any() and not has_split.all():
        add(~has_split, "split", "the split is empty while other rows have one")
    elif has_split.all():
        spread = frame.groupby("doc_id")["split"].nunique()
        for doc in spread[spread > 1].index:
            rows = frame[frame["doc_id"] == doc]
            problems.append(
                Problem(
                    rows[_SOURCE].iloc[0],
                    rows[_WHERE].iloc[0],
                    "split",
                    f"document '{doc}' is in several splits "
                    f"({', '.join(sorted(set(rows['split'])))}): a document must stay in one split",
                )
            )
    return problems


def data_warnings(frame: pd.DataFrame, *, uses_actors: bool) -> list[str]:
    """What is valid but probably not meant: said before training, never fatal."""
    found = []
    if uses_actors and len(frame) and (frame["actor"] == "").all():
        found.append(
            "no record has an actor, but this task labels the stance of each sentence's actor; "
            "map the actor column with data.columns.actor=<column> (or use a task without actors)"
        )
    return found


def missing_classes(
    gold: Iterable[str], averaged: Sequence[str], metric: str, where: str
) -> str | None:
    """A warning when a scored split has no rows of a class that `metric` averages: that class
    scores 0, so the metric cannot reach 1 (F_stance without *evasive* rows: at most 0.667)."""
    present = set(gold)
    missing = [label for label in averaged if label not in present]
    if not present or not missing:  # an empty split is an error of its own
        return None
    ceiling = (len(averaged) - len(missing)) / len(averaged)
    names = ", ".join(f"'{label}'" for label in missing)
    return (
        f"{where} has no {names} rows: {metric} averages the F1 of {', '.join(averaged)}, and a "
        f"class without rows scores 0, so {metric} there is at most {ceiling:.3f}"
    )
