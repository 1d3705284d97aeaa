"""Transformer inference speed on CPU: fp32 vs int8, and how often they agree.

    python benchmarks/inference.py --model <model folder> [--batch-size 32]
    python benchmarks/inference.py --bert-base      # speed of a BERT-base-sized model

Scores the test split of the corpus (`--data`, default haltung_news) four ways and prints a
Markdown table for benchmarks/README.md:
  fp32, padded to a fixed length (64), in corpus order    (the naive reference)
  fp32, length-sorted batches with dynamic padding         (what haltung does)
  int8 without smoothing, sorted dynamic padding           (plain ONNX Runtime dynamic int8)
  int8, sorted dynamic padding                             (load(…, quantize="int8"))
Sentences/s is the best of `--repeat` timed passes after one warm-up pass; agreement is with the
fp32 predictions. `--bert-base` builds a randomly initialised BERT-base (12 layers, hidden 768,
WordPiece vocabulary of 30,000 learnt from the corpus) for the speed figures only: with random
weights, agreement means nothing. The int8 models are built in a temporary cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from haltung.config import compose
from haltung.data import DataSpec, load_dataset
from haltung.models.int8 import RANGES_FILE
from haltung.models.saved import payload_dir
from haltung.models.transformer import TransformerClassifier, build_tiny_bert
from haltung.task import Task


def fixed_padding_proba(estimator, frame, batch_size: int, length: int) -> np.ndarray:
    """The reference: every batch padded to `length`, rows in their original order."""
    texts, actors = frame["text"].tolist(), frame["actor"].tolist()
    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = estimator.tokenizer_(
                actors[start : start + batch_size],
                texts[start : start + batch_size],
                padding="max_length",
                truncation="only_second",
                max_length=length,
                return_tensors="pt",
            )
            out.append(torch.softmax(estimator.model_(**batch).logits, -1).numpy())
    return np.concatenate(out)


def timed(function, repeat: int) -> tuple[float, np.ndarray]:
    result = function()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def random_bert_base(train, folder: Path) -> Path:
    """A saved TransformerClassifier with BERT-base's shape and random weights."""
    from transformers import BertConfig, BertForMaskedLM

    texts = [*train["text"], *train["actor"]]
    build_tiny_bert(texts, folder / "pretrained", vocab_size=30_000)
    config = BertConfig.from_pretrained(folder / "pretrained")
    for key, value in {
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
    }.items():
        setattr(config, key, value)
    BertForMaskedLM(config).save_pretrained(folder / "pretrained")
    estimator = TransformerClassifier(pretrained=str(folder / "pretrained"), epochs=0)
    estimator.set_params(progress=False, calibration_rows=256)
    estimator.fit(train[["text", "actor"]], train["label"])
    estimator.save(folder / "model")
    return folder / "model"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a transformer model folder (experiments/outputs/…/model)")
    source.add_argument("--bert-base", action="store_true", help="random BERT-base, speed only")
    parser.add_argument("--data", default="haltung_news")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = compose([f"data={args.data}"])
    frame = load_dataset(DataSpec.from_config(cfg.data), Task.from_config(cfg.task).labels).frame
    test = frame[frame["split"] == "test"][["text", "actor"]].reset_index(drop=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HALTUNG_CACHE"] = str(Path(tmp) / "cache")
        if args.bert_base:
            folder = random_bert_base(frame[frame["split"] == "train"], Path(tmp))
        else:
            folder = payload_dir(Path(args.model))
        plain = Path(tmp) / "without-ranges"
        shutil.copytree(folder, plain, ignore=shutil.ignore_patterns(RANGES_FILE))
        models = {
            "fp32": TransformerClassifier.load(folder),
            "int8 plain": TransformerClassifier.load(plain, quantize="int8"),
            "int8": TransformerClassifier.load(folder, quantize="int8"),
        }
        for model in models.values():
            model.eval_batch_size = args.batch_size
        runs = {
            "fp32, fixed padding to 64": lambda rows: fixed_padding_proba(
                models["fp32"], rows, args.batch_size, 64
            ),
            "fp32, sorted dynamic padding": models["fp32"].predict_proba,
            "int8 without smoothing, sorted dynamic padding": models["int8 plain"].predict_proba,
            "int8 (haltung), sorted dynamic padding": models["int8"].predict_proba,
        }
        results = {
            name: timed(lambda run=run: run(test), args.repeat) for name, run in runs.items()
        }
    reference = results["fp32, sorted dynamic padding"][1].argmax(1)
    kind = "random BERT-base (speed only)" if args.bert_base else str(args.model)
    print(f"{kind}: {len(test)} test sentences, batch {args.batch_size}, {args.threads} threads\n")
    print("| variant | sentences/s | agreement with fp32 |\n|---|---|---|")
    for name, (seconds, proba) in results.items():
        agreement = f"{np.mean(proba.argmax(1) == reference):.1%}"
        print(f"| {name} | {len(test) / seconds:.1f} | {'—' if args.bert_base else agreement} |")


if __name__ == "__main__":
    main()
