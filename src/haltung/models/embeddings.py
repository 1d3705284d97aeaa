"""Frozen sentence embeddings from a pretrained encoder, as a scikit-learn transformer.

`SentenceEmbedder` turns texts into mean-pooled, L2-normalised encoder embeddings, so that a
cheap classifier (`model=embed_logreg`) can compare a pretrained encoder in minutes on CPU.
Embeddings of data sets (at least `min_cache_size` texts) are cached on disk per encoder and
input texts; the encoder itself is never pickled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Mean-pooled encoder embeddings of each input text (`prefix` prepended, e5 style)."""

    def __init__(
        self,
        encoder: str = "me5-small",
        prefix: str = "passage: ",
        max_length: int = 128,
        batch_size: int = 32,
        cache: bool = True,
        min_cache_size: int = 256,
    ):
        self.encoder = encoder
        self.prefix = prefix
        self.max_length = max_length
        self.batch_size = batch_size
        self.cache = cache
        self.min_cache_size = min_cache_size

    def fit(self, X, y=None):
        return self

    def transform(self, X) -> np.ndarray:
        texts = [self.prefix + str(t) for t in X]
        path = self._cache_path(texts)
        if path is not None and path.is_file():
            return np.load(path)
        vectors = self._embed(texts)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
        return vectors

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_loaded", None)  # the encoder is loaded again on first use
        return state

    def _folder(self) -> Path:
        from haltung.models.encoders import encoder_dir, encoders_home

        if (encoders_home() / self.encoder).is_dir() or self.encoder == "me5-small":
            return encoder_dir(self.encoder)
        return Path(self.encoder).expanduser()

    def _cache_path(self, texts: Sequence[str]) -> Path | None:
        if not self.cache or len(texts) < self.min_cache_size:
            return None
        from haltung.config import cache_home

        digest = hashlib.sha256()
        for part in (self.encoder, str(self.max_length), *texts):
            digest.update(part.encode("utf-8") + b"\0")
        name = Path(self.encoder).name or "encoder"
        return cache_home() / "embeddings" / name / f"{digest.hexdigest()[:32]}.npy"

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        import torch
        from rich.progress import track

        tokenizer, model = self._model()
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        starts = range(0, len(texts), self.batch_size)
        with torch.inference_mode():
            for start in track(starts, description="embedding", transient=True):
                rows = order[start : start + self.batch_size]
                batch = tokenizer(
                    [texts[i] for i in rows],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                out[rows] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
        return out

    def _model(self):
        if getattr(self, "_loaded", None) is None:
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()

            folder = self._folder()
            tokenizer = AutoTokenizer.from_pretrained(folder)
            model = AutoModel.from_pretrained(folder, add_pooling_layer=False).eval()
            self._loaded = (tokenizer, model)
        return self._loaded
