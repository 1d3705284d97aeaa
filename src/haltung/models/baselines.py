"""scikit-learn baselines: a Pipeline from the actor-aware input to a classifier."""

from __future__ import annotations

from collections.abc import Mapping

from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

from haltung.models.inputs import ActorText


def text_pipeline(
    steps: Mapping[str, BaseEstimator],
    actor_template: str | None = None,
    context_template: str | None = None,
    context_chars: int | None = 400,
) -> Pipeline:
    """A Pipeline that joins actor, text and context (`ActorText`), then runs `steps` in order.

    Built from config by Hydra (`_target_: haltung.models.baselines.text_pipeline`), with the
    steps themselves instantiated from their own `_target_`s.
    """
    joined = ActorText(actor_template, context_template, context_chars)
    return Pipeline([("input", joined), *steps.items()])
