"""Fine-tuned transformer encoders (German BERT, ELECTRA, me5-small) as scikit-learn estimators.

`TransformerClassifier` takes the same input as the baselines (a frame with `text` and
`actor`), trains with a plain torch loop (length-sorted batches with dynamic padding, linear
warm-up, early stopping on the dev primary metric, best epoch kept) and saves itself as a
Hugging Face `save_pretrained` folder, with the activation ranges that int8 inference
(`load(..., quantize="int8")`, see `haltung.models.int8`) needs. Importing this module imports
torch and transformers.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import random
import shutil
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from transformers.utils import logging as transformers_logging

from haltung.errors import ConfigError, ModelLoadError
from haltung.models.inputs import ActorText, input_frame, tail
from haltung.models.saved import QUANTIZE_CHOICES
from haltung.task import mean_label_f1

log = logging.getLogger(__name__)
transformers_logging.disable_progress_bar()  # haltung shows its own progress
transformers_logging.set_verbosity_error()

TINY = "haltung:tiny"  # a small random BERT whose WordPiece vocabulary is learnt from the data
SETTINGS_FILE = "haltung-estimator.json"
HF_FOLDER = "hf"
EpochCallback = Callable[[int, dict[str, float]], None]


class TransformerClassifier(ClassifierMixin, BaseEstimator):
    """A pretrained encoder with a classification head, fine-tuned on (actor, sentence) input.

    `pretrained` is a hub name (`deepset/gbert-base`), a local `save_pretrained` folder, an
    installable encoder (`me5-small`), or `haltung:tiny`. `actor_input` is `pair` (actor and
    sentence as a sentence pair), `template` (`actor_template` joins them into one text) or
    `none` (the sentence alone). `context_input="pair"` reads each row's context as the second
    segment (the actor joined to the sentence by `actor_template` is the first), keeping its
    last `context_chars` characters; `none` ignores it.
    """

    def __init__(
        self,
        *,
        pretrained: str = "deepset/gbert-base",
        actor_input: str = "pair",
        actor_template: str = "{actor}: {text}",
        context_input: str = "none",
        context_chars: int = 400,
        max_length: int = 128,
        batch_size: int = 16,
        eval_batch_size: int = 32,
        learning_rate: float = 3e-5,
        epochs: int = 4,
        warmup_ratio: float = 0.1,
        weight_decay: float = 0.01,
        freeze_embeddings: bool = False,
        freeze_layers: int = 0,
        gradient_accumulation: int = 1,
        early_stopping_patience: int = 2,
        class_weight: str | None = None,
        eval_labels: Sequence[str] | None = None,
        seed: int = 1,
        device: str = "auto",
        mixed_precision: bool = True,
        cpu_threads: int | None = None,
        calibration_rows: int = 4096,
        progress: bool = True,
    ):
        self.pretrained = pretrained
        self.actor_input = actor_input
        self.actor_template = actor_template
        self.context_input = context_input
        self.context_chars = context_chars
        self.max_length = max_length
        self.batch_size = batch_size
        self.eval_batch_size = eval_batch_size
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.warmup_ratio = warmup_ratio
        self.weight_decay = weight_decay
        self.freeze_embeddings = freeze_embeddings
        self.freeze_layers = freeze_layers
        self.gradient_accumulation = gradient_accumulation
        self.early_stopping_patience = early_stopping_patience
        self.class_weight = class_weight
        self.eval_labels = eval_labels
        self.seed = seed
        self.device = device
        self.mixed_precision = mixed_precision
        self.cpu_threads = cpu_threads
        self.calibration_rows = calibration_rows
        self.progress = progress

    # ------------------------------------------------------------------ training
    def fit(
        self,
        X: pd.DataFrame,
        y: Sequence[str],
        eval_set: tuple[pd.DataFrame, Sequence[str]] | None = None,
        on_epoch_end: EpochCallback | None = None,
    ) -> TransformerClassifier:
        """Fine-tune; with `eval_set`, keep the epoch with the best dev score and stop early."""
        if self.actor_input not in ("pair", "template", "none"):
            raise ConfigError(
                f"actor_input must be pair, template or none, not '{self.actor_input}'."
            )
        if self.context_input not in ("pair", "none"):
            raise ConfigError(f"context_input must be pair or none, not '{self.context_input}'.")
        _seed_everything(self.seed)
        if self.cpu_threads:
            torch.set_num_threads(int(self.cpu_threads))
        labels = np.asarray(y, dtype=object)
        self.classes_ = np.array(sorted(set(labels)), dtype=object)
        source = self._resolve_source(X)
        self.tokenizer_, self.model_ = _load_pretrained(source, list(self.classes_))
        if self.pretrained == TINY:
            shutil.rmtree(source, ignore_errors=True)  # built for this fit; now held in memory
        self._freeze()
        device = self._device()
        self.model_.to(device)
        encoded = self._encode(X)
        targets = np.searchsorted(self.classes_, labels)
        optimizer, scheduler, steps = self._optimizer(len(encoded))
        loss_fn = torch.nn.CrossEntropyLoss(weight=self._class_weights(targets, device))
        rng = np.random.default_rng(self.seed)
        best, best_state, stale = -np.inf, None, 0
        self.history_: list[dict[str, float]] = []
        self.best_epoch_: int | None = None  # the kept epoch, with an eval_set
        for epoch in range(1, self.epochs + 1):
            started = time.perf_counter()
            loss = self._train_epoch(
                encoded, targets, optimizer, scheduler, loss_fn, rng, device, epoch
            )
            record = {"train_loss": loss, "seconds": time.perf_counter() - started}
            if eval_set is not None and len(eval_set[0]):
                record["dev_score"] = self._score(*eval_set)
                if record["dev_score"] > best:
                    best, stale = record["dev_score"], 0
                    best_state = copy.deepcopy(
                        {k: v.cpu() for k, v in self.model_.state_dict().items()}
                    )
                    self.best_epoch_ = epoch
                else:
                    stale += 1
            self.history_.append(record)
            log.info("epoch %d: %s", epoch, ", ".join(f"{k} {v:.4f}" for k, v in record.items()))
            if on_epoch_end:
                on_epoch_end(epoch, record)
            if (
                eval_set is not None
                and self.early_stopping_patience
                and stale >= self.early_stopping_patience
            ):
                log.info("early stop after epoch %d (best epoch %d)", epoch, self.best_epoch_)
                break
        if best_state is not None:
            self.model_.load_state_dict(best_state)
        self.model_.eval()
        self.train_steps_ = steps
        self.activation_ranges_ = self._activation_ranges(encoded, device)
        return self

    def _activation_ranges(self, encoded: list[dict], device: torch.device) -> dict:
        """Per-channel input maxima of the linear layers on up to `calibration_rows` rows."""
        from haltung.models.int8 import activation_ranges

        n = min(len(encoded), int(self.calibration_rows))
        rows = np.random.default_rng(self.seed).choice(len(encoded), n, replace=False)
        sample = [encoded[r] for r in rows]
        batches = _length_batches(sample, self.eval_batch_size, None)
        return activation_ranges(
            self.model_, (self._collate([sample[i] for i in b], device) for b in batches)
        )

    def _resolve_source(self, X: pd.DataFrame) -> str:
        if self.pretrained == TINY:
            frame = input_frame(X)
            texts = [*frame["text"], *frame["actor"], *frame["context"]]
            return build_tiny_bert(texts, _tiny_dir(self.seed), seed=self.seed)
        if self.pretrained == "me5-small":
            from haltung.models.encoders import encoder_dir

            return str(encoder_dir("me5-small"))
        return self.pretrained

    def _freeze(self) -> None:
        base = self.model_.base_model
        if self.freeze_embeddings:
            base.embeddings.word_embeddings.weight.requires_grad_(False)
        if self.freeze_layers:
            for layer in base.encoder.layer[: int(self.freeze_layers)]:
                layer.requires_grad_(False)

    def _optimizer(self, n_rows: int):
        from transformers import get_linear_schedule_with_warmup

        decay, no_decay = [], []
        for name, param in self.model_.named_parameters():
            if param.requires_grad:
                (no_decay if "bias" in name or "LayerNorm" in name else decay).append(param)
        optimizer = torch.optim.AdamW(
            [
                {"params": decay, "weight_decay": self.weight_decay},
                {"params": no_decay, "weight_decay": 0.0},
            ],
            lr=self.learning_rate,
        )
        batches = -(-n_rows // self.batch_size)
        steps = max(1, -(-batches // self.gradient_accumulation) * self.epochs)
        scheduler = get_linear_schedule_with_warmup(
            optimizer, int(self.warmup_ratio * steps), steps
        )
        return optimizer, scheduler, steps

    def _class_weights(self, targets: np.ndarray, device: torch.device) -> torch.Tensor | None:
        if self.class_weight != "balanced":
            return None
        present = np.unique(targets)
        weights = np.ones(len(self.classes_), dtype=np.float32)
        weights[present] = compute_class_weight("balanced", classes=present, y=targets)
        return torch.tensor(weights, device=device)

    def _train_epoch(
        self, encoded, targets, optimizer, scheduler, loss_fn, rng, device, epoch
    ) -> float:
        from rich.progress import track

        self.model_.train()
        batches = _length_batches(encoded, self.batch_size, rng)
        total, seen = 0.0, 0
        optimizer.zero_grad()
        steps = track(
            batches, description=f"epoch {epoch}", disable=not self.progress, transient=True
        )
        for i, rows in enumerate(steps, start=1):
            batch = self._collate([encoded[r] for r in rows], device)
            with self._autocast(device):
                logits = self.model_(**batch).logits
            loss = loss_fn(logits.float(), torch.as_tensor(targets[rows], device=device))
            (loss / self.gradient_accumulation).backward()
            if i % self.gradient_accumulation == 0 or i == len(batches):
                torch.nn.utils.clip_grad_norm_(self.model_.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            total += float(loss.detach()) * len(rows)
            seen += len(rows)
        return total / max(seen, 1)

    def _score(self, X: pd.DataFrame, y: Sequence[str]) -> float:
        """Mean F1 over `eval_labels` (the task's primary metric) on held-out rows."""
        predicted = self.classes_[self.predict_proba(X).argmax(axis=1)]
        return mean_label_f1(y, predicted, self.eval_labels or self.classes_)

    # ------------------------------------------------------------------ inference
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities in `classes_` order; sorted dynamic padding, original order out."""
        from scipy.special import softmax

        encoded = self._encode(X)
        out = np.zeros((len(encoded), len(self.classes_)), dtype=np.float32)
        for rows in _length_batches(encoded, self.eval_batch_size, None):
            batch = self.tokenizer_.pad([encoded[r] for r in rows], return_tensors="np")
            out[rows] = softmax(self._logits(batch), axis=-1)
        return out

    def _logits(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        """Logits of one padded batch, from the int8 ONNX session or the torch model."""
        if getattr(self, "int8_", None) is not None:
            return self.int8_(batch)
        device = next(self.model_.parameters()).device
        self.model_.eval()
        with torch.inference_mode(), self._autocast(device):
            tensors = {k: torch.as_tensor(v, device=device) for k, v in batch.items()}
            return self.model_(**tensors).logits.float().cpu().numpy()

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    # ------------------------------------------------------------------ persistence
    def save(self, folder: Path) -> None:
        """`folder/hf` is a save_pretrained folder (model, tokenizer, label map); the activation
        ranges for int8 inference go beside it."""
        from safetensors.torch import save_file

        from haltung.models.int8 import RANGES_FILE

        if self.model_ is None:
            raise ConfigError("An int8 model cannot be saved; save the fp32 model it came from.")
        folder = Path(folder)
        self.model_.save_pretrained(folder / HF_FOLDER)
        self.tokenizer_.save_pretrained(folder / HF_FOLDER)
        ranges = getattr(self, "activation_ranges_", None)
        if ranges:
            save_file({k: v.contiguous() for k, v in ranges.items()}, folder / RANGES_FILE)
        params = {k: v for k, v in self.get_params().items() if k != "eval_labels"}
        params["eval_labels"] = list(self.eval_labels or [])
        info = {"params": params, "classes": list(self.classes_)}
        (folder / SETTINGS_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2), "utf-8")

    @classmethod
    def load(cls, folder: Path, quantize: str | None = None, threads: int | None = None):
        """Load a saved classifier.

        `quantize="int8"` runs it with ONNX Runtime as a smoothed, dynamically quantised int8
        model (CPU; built on first use and cached, see `haltung.models.int8`).
        """
        from transformers import AutoTokenizer

        if quantize not in QUANTIZE_CHOICES:
            raise ConfigError(f"quantize must be int8 or none, not '{quantize}'.")
        folder = Path(folder)
        info = json.loads((folder / SETTINGS_FILE).read_text("utf-8"))
        # settings of training knobs that later versions dropped (e.g. tune_bias) do not
        # matter for prediction: a model saved with them still loads
        known = set(cls._get_param_names())
        params = {k: v for k, v in info["params"].items() if k in known}
        estimator = cls(**{**params, "progress": False})
        estimator.classes_ = np.array(info["classes"], dtype=object)
        estimator.tokenizer_ = AutoTokenizer.from_pretrained(folder / HF_FOLDER)
        if threads:
            torch.set_num_threads(int(threads))
        if quantize == "int8":
            estimator.model_ = None
            estimator.int8_ = _int8_runner(folder, estimator.tokenizer_, threads)
        else:
            estimator.model_ = _saved_model(folder)
        return estimator

    # ------------------------------------------------------------------ helpers
    def _encode(self, X: pd.DataFrame) -> list[dict[str, list[int]]]:
        X = input_frame(X)
        if self.context_input == "pair":  # (actor: sentence, context), the context cut first
            first = self._joined(X, None if self.actor_input == "none" else self.actor_template)
            second = [tail(c, self.context_chars) for c in X["context"]]
            encoded = self.tokenizer_(
                first, second, truncation="longest_first", max_length=self.max_length
            )
        elif self.actor_input == "pair":
            encoded = self.tokenizer_(
                X["actor"].tolist(),
                X["text"].tolist(),
                truncation="only_second",
                max_length=self.max_length,
            )
        else:
            template = self.actor_template if self.actor_input == "template" else None
            encoded = self.tokenizer_(
                self._joined(X, template), truncation=True, max_length=self.max_length
            )
        keys = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in encoded]
        return [{k: encoded[k][i] for k in keys} for i in range(len(X))]

    @staticmethod
    def _joined(X: pd.DataFrame, template: str | None) -> list[str]:
        """One text per row: the sentence, or actor and sentence joined by `template` (as the
        baselines join them)."""
        return ActorText(template).transform(X).tolist()

    def _collate(self, rows: list[dict], device: torch.device) -> dict[str, torch.Tensor]:
        batch = self.tokenizer_.pad(rows, return_tensors="pt")
        return {k: v.to(device) for k, v in batch.items()}

    def _device(self) -> torch.device:
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)

    def _autocast(self, device: torch.device):
        enabled = bool(self.mixed_precision) and device.type == "cuda"
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


def _saved_model(folder: Path) -> Any:
    from transformers import AutoModelForSequenceClassification

    return AutoModelForSequenceClassification.from_pretrained(folder / HF_FOLDER).eval()


def _int8_runner(folder: Path, tokenizer: Any, threads: int | None) -> Any:
    """The cached int8 ONNX model of a saved classifier, built (about 20 s) when missing."""
    from safetensors.torch import load_file

    from haltung.models import int8

    ranges_file = folder / int8.RANGES_FILE
    model_files = sorted((folder / HF_FOLDER).glob("*.safetensors"))
    key = int8.cache_key([folder / HF_FOLDER / "config.json", *model_files, ranges_file])
    target = int8.int8_home() / key / "model.onnx"
    if not target.is_file():
        ranges = load_file(ranges_file) if ranges_file.is_file() else None
        if ranges is None:
            log.warning(
                "%s has no activation ranges (saved by an older haltung): int8 without smoothing "
                "agrees less with fp32 (96.8 %% instead of 98.9 %% on me5-small)",
                folder,
            )
        log.info("building the int8 model in %s (once per model)", target.parent)
        example = dict(tokenizer(["Akteur"], ["Ein Satz."], return_tensors="pt"))
        int8.export_int8(_saved_model(folder), example, target, ranges)
    return int8.OnnxRunner(target, threads)


def _length_batches(
    encoded: list[dict], size: int, rng: np.random.Generator | None
) -> list[np.ndarray]:
    """Batches of similar length (little padding), in random order (sorted without `rng`)."""
    lengths = np.array([len(e["input_ids"]) for e in encoded], dtype=float)
    if rng is not None:
        lengths += rng.uniform(0, 1, len(lengths))  # random order among equal lengths
    order = np.argsort(lengths, kind="stable")
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _tiny_dir(seed: int) -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"haltung-tiny-{seed}-"))


def _load_pretrained(source: str, classes: list[str]) -> tuple[Any, Any]:
    """Tokenizer and classification model from a folder or the hub; offline fails fast."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    local = Path(source).expanduser()
    offline = not local.is_dir() and not _hub_usable(source)
    if offline:
        raise ModelLoadError(
            f"The pretrained model '{source}' is not a local folder, not in the Hugging Face "
            "cache, and the hub cannot be reached. Download it where there is network "
            "(e.g. `huggingface-cli download deepset/gbert-base`) and pass the folder with "
            "model.pretrained=/path/to/folder, or use model=me5_small, which installs offline."
        )
    path = str(local) if local.is_dir() else source
    only_local = not local.is_dir() and _cached(source)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=only_local)
        model = AutoModelForSequenceClassification.from_pretrained(
            path,
            num_labels=len(classes),
            id2label=dict(enumerate(classes)),
            label2id={c: i for i, c in enumerate(classes)},
            local_files_only=only_local,
        )
    except OSError as err:
        raise ModelLoadError(f"The pretrained model '{source}' cannot be loaded: {err}") from None
    return tokenizer, model


def _cached(repo: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = try_to_load_from_cache(repo, "config.json")
    return isinstance(found, str)


def _hub_usable(repo: str, timeout: float = 3.0) -> bool:
    """True when the model is cached, or the hub answers (offline mode counts as unreachable)."""
    if _cached(repo):
        return True
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    host = endpoint.split("://", 1)[-1].split("/", 1)[0]
    try:
        socket.create_connection((host.split(":")[0], 443), timeout=timeout).close()
    except OSError:
        return False
    return True


def build_tiny_bert(
    texts: Sequence[str], folder: Path, vocab_size: int = 2000, seed: int = 1
) -> str:
    """A small random BERT (2 layers, hidden 64) with a WordPiece vocabulary learnt from `texts`."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    wordpiece = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.NFC()  # keeps case and umlauts
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wordpiece.train_from_iterator(
        list(texts), trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials)
    )
    cls_id, sep_id = wordpiece.token_to_id("[CLS]"), wordpiece.token_to_id("[SEP]")
    wordpiece.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=wordpiece,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=256,
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=wordpiece.get_vocab_size(),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=256,
    )
    folder.mkdir(parents=True, exist_ok=True)
    BertForMaskedLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)
