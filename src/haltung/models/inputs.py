"""Model input: a frame with `text`, `actor` and `context` columns, and how they join the text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from haltung.errors import HaltungError

#: The columns every model reads (`actor` and `context` may be empty strings).
INPUT_COLUMNS = ("text", "actor", "context")


def as_input_frame(
    texts: str | Sequence[str] | pd.Series | pd.DataFrame,
    actors: str | Sequence[str] | None = None,
    contexts: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Build the model input from sentences and (optionally) their actors and contexts.

    `texts` may be one string, a sequence or Series of strings (a Series keeps its index), or
    a frame with a `text` column and optional `actor` and `context` columns. Raises
    `HaltungError` for empty sentences, a mismatch in length, or input that is none of these.
    """
    if isinstance(texts, pd.DataFrame):
        return _from_frame(texts, actors, contexts)
    index = texts.index if isinstance(texts, pd.Series) else None
    if isinstance(texts, str):
        texts = [texts]
    elif isinstance(texts, Iterable) and not isinstance(texts, bytes | Mapping):
        texts = list(texts)
    else:
        raise HaltungError(
            f"Cannot classify {type(texts).__name__}: give a sentence, a list of sentences, or "
            "a frame with a `text` column."
        )
    empty = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if empty:
        shown = ", ".join(str(i + 1) for i in empty[:10])
        raise HaltungError(f"Text number {shown} is empty (or not a string): nothing to classify.")
    return pd.DataFrame(
        {
            "text": texts,
            "actor": _aligned(actors, len(texts), "actors"),
            "context": _aligned(contexts, len(texts), "contexts"),
        },
        index=index,
    )


def _from_frame(frame: pd.DataFrame, actors: object, contexts: object) -> pd.DataFrame:
    """A frame's `text`, `actor` and `context` columns, its index kept."""
    if actors is not None or contexts is not None:
        raise HaltungError(
            "Give actors and contexts as columns of the frame (`actor`, `context`), not as "
            "arguments beside it."
        )
    if "text" not in frame:
        raise HaltungError(
            f"The frame has no `text` column (its columns: {', '.join(map(str, frame.columns))})."
        )
    given = {c: frame[c].tolist() if c in frame else None for c in INPUT_COLUMNS}
    built = as_input_frame(given["text"], given["actor"], given["context"])
    return built.set_axis(frame.index)


def input_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's columns of a record frame; a missing `actor` or `context` becomes empty."""
    out = pd.DataFrame({"text": frame["text"].astype(str)}, index=frame.index)
    for column in INPUT_COLUMNS[1:]:
        out[column] = frame[column].fillna("").astype(str) if column in frame else ""
    return out


def tail(text: str, max_chars: int | None) -> str:
    """The last `max_chars` characters of `text`, starting at a word: a question's end holds
    what is asked, its start mostly thanks and preamble."""
    if not max_chars or len(text) <= max_chars:
        return text
    cut = text[-max_chars:]
    space = cut.find(" ")
    return cut[space + 1 :] if 0 <= space < max_chars // 4 else cut


def _aligned(values: str | Sequence[str] | None, n: int, name: str) -> list[str]:
    if values is None:
        return [""] * n
    if isinstance(values, str):
        return [values] * n
    values = ["" if _missing(v) else str(v) for v in values]
    if len(values) != n:
        raise HaltungError(f"Got {n} texts but {len(values)} {name}; give one per text.")
    return values


def _missing(value: object) -> bool:
    """None, NaN or pandas' NA: no value."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


class ActorText(TransformerMixin, BaseEstimator):
    """Turn (text, actor, context) rows into one string per row.

    `template` uses `{text}` and `{actor}`, e.g. "{actor} » {text}", so that one sentence can
    carry two actors with different stances. Rows without an actor, and `template=None`, give the
    text alone. `context_template` (with `{input}`, the string so far, and `{context}`) adds the
    last `context_chars` characters of the row's context where it has one; None leaves it out.
    """

    def __init__(
        self,
        template: str | None = "{actor} » {text}",
        context_template: str | None = None,
        context_chars: int | None = 400,
    ):
        self.template = template
        self.context_template = context_template
        self.context_chars = context_chars

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> np.ndarray:
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame({"text": list(X)})
        frame = input_frame(frame)
        texts = frame["text"].tolist()
        if self.template:
            texts = [
                self.template.format(text=t, actor=a.strip()) if a.strip() else t
                for t, a in zip(texts, frame["actor"], strict=True)
            ]
        if self.context_template:
            texts = [
                self.context_template.format(input=t, context=tail(c, self.context_chars))
                if c.strip()
                else t
                for t, c in zip(texts, frame["context"], strict=True)
            ]
        return np.asarray(texts, dtype=object)

    def __setstate__(self, state: dict) -> None:
        """Models saved before contexts existed load with contexts off."""
        state.setdefault("context_template", None)
        state.setdefault("context_chars", None)
        self.__dict__.update(state)
