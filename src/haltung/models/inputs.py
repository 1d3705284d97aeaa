"""Model input: a frame with `text` and `actor` columns, and how the actor joins the text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from haltung.errors import HaltungError

INPUT_COLUMNS = ("text", "actor")


def as_input_frame(texts: str | Sequence[str], actors: str | Sequence[str] | None = None):
    """Build the model input from sentences and (optionally) their actors.

    Raises `HaltungError` for empty sentences or a mismatch in length.
    """
    texts = [texts] if isinstance(texts, str) else list(texts)
    if actors is None:
        actors = [""] * len(texts)
    elif isinstance(actors, str):
        actors = [actors] * len(texts)
    else:
        actors = ["" if a is None else str(a) for a in actors]
    if len(actors) != len(texts):
        raise HaltungError(f"Got {len(texts)} texts but {len(actors)} actors; give one per text.")
    empty = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if empty:
        shown = ", ".join(str(i + 1) for i in empty[:10])
        raise HaltungError(f"Text number {shown} is empty (or not a string): nothing to classify.")
    return pd.DataFrame({"text": texts, "actor": actors})


class ActorText(TransformerMixin, BaseEstimator):
    """Turn (text, actor) rows into one string per row.

    `template` uses `{text}` and `{actor}`, e.g. "{actor} » {text}", so that one sentence can
    carry two actors with different stances. Rows without an actor, and `template=None`, give the
    text alone.
    """

    def __init__(self, template: str | None = "{actor} » {text}"):
        self.template = template

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> np.ndarray:
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame({"text": list(X)})
        texts = frame["text"].astype(str).tolist()
        if not self.template or "actor" not in frame:
            return np.asarray(texts, dtype=object)
        actors = frame["actor"].fillna("").astype(str).str.strip().tolist()
        return np.asarray(
            [
                self.template.format(text=t, actor=a) if a else t
                for t, a in zip(texts, actors, strict=True)
            ],
            dtype=object,
        )
