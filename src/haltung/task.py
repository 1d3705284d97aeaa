"""The task: its label set and its primary metric, all from config."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from haltung.errors import ConfigError


@dataclass(frozen=True)
class Task:
    """A classification task: which labels exist and how runs are ranked."""

    name: str
    labels: tuple[str, ...]
    primary_metric: str = "macro_f1"
    primary_labels: tuple[str, ...] | None = None
    uses_actors: bool = False  # each record is the stance of its actor: data without one is suspect

    def __post_init__(self) -> None:
        if len(self.labels) < 2 or len(set(self.labels)) != len(self.labels):
            raise ConfigError(
                f"Task '{self.name}' needs at least two distinct labels, got {list(self.labels)}."
            )
        unknown = set(self.primary_labels or ()) - set(self.labels)
        if unknown:
            raise ConfigError(
                f"Task '{self.name}': primary_labels {sorted(unknown)} are not among its "
                f"labels {list(self.labels)}."
            )

    @property
    def averaged_labels(self) -> tuple[str, ...]:
        """The labels whose F1 scores are averaged into the primary metric."""
        return self.primary_labels or self.labels

    def score(self, gold: Sequence[str], pred: Sequence[str]) -> float:
        """The primary metric: mean F1 over the averaged labels."""
        return mean_label_f1(gold, pred, self.averaged_labels)

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> Task:
        primary: Sequence[str] | None = cfg.get("primary_labels")
        return cls(
            name=str(cfg["name"]),
            labels=tuple(str(label) for label in cfg["labels"]),
            primary_metric=str(cfg.get("primary_metric") or "macro_f1"),
            primary_labels=tuple(str(label) for label in primary) if primary else None,
            uses_actors=bool(cfg.get("uses_actors", False)),
        )


def mean_label_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Mean F1 over `labels` (macro F1 when they are all labels; F_stance over the stances).

    A label neither in `gold` nor in `pred` scores 0, as scikit-learn's zero_division=0 does.
    """
    from sklearn.metrics import f1_score

    return float(
        f1_score(list(gold), list(pred), labels=list(labels), average="macro", zero_division=0)
    )
