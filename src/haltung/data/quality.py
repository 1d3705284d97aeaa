"""Corpus quality checks: normalised text and near-duplicate sentences across splits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np


def normalise(text: str) -> str:
    """Text for duplicate detection: NFKC, case-folded, quotes and spaces unified."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[„“”‚‘’»«\"']", '"', text)
    return re.sub(r"\s+", " ", text).strip()


def near_duplicates(
    left: Sequence[str], right: Sequence[str], threshold: float = 0.8, n: int = 5
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) whose character n-gram sets overlap by at least `threshold`.

    Jaccard similarity of the sets of character `n`-grams of the normalised texts, computed
    with sparse matrix products, so tens of thousands of sentences take seconds.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if not left or not right:
        return []
    vectorizer = CountVectorizer(analyzer="char", ngram_range=(n, n), binary=True, lowercase=False)
    vectorizer.fit([normalise(t) for t in [*left, *right]])
    a = vectorizer.transform([normalise(t) for t in left])
    b = vectorizer.transform([normalise(t) for t in right])
    shared = (a @ b.T).tocoo()
    size_a = np.asarray(a.sum(axis=1)).ravel()
    size_b = np.asarray(b.sum(axis=1)).ravel()
    union = size_a[shared.row] + size_b[shared.col] - shared.data
    jaccard = np.divide(shared.data, union, out=np.zeros(len(union)), where=union > 0)
    keep = jaccard >= threshold
    return sorted(
        zip(
            shared.row[keep].tolist(),
            shared.col[keep].tolist(),
            jaccard[keep].tolist(),
            strict=True,
        )
    )
