"""Transformer inference speed on CPU: fp32 vs int8, and how often they agree.

    python benchmarks/inference.py --model <model folder | runs:/…/model> [--batch-size 32]

Scores the test split of the corpus (`--data`, default haltung_news) three ways and prints a
Markdown table for benchmarks/README.md:
  fp32, padded to a fixed length (64), in corpus order     (the naive reference)
  fp32, length-sorted batches with dynamic padding          (what haltung does)
  int8 (dynamic quantisation), sorted dynamic padding    (StanceClassifier.load(…, quantize="int8"))
Sentences/s is the best of `--repeat` timed passes after one warm-up pass.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from haltung import StanceClassifier
from haltung.config import compose
from haltung.data import DataSpec, load_dataset
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", default="haltung_news")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = compose([f"data={args.data}"])
    frame = load_dataset(DataSpec.from_config(cfg.data), Task.from_config(cfg.task).labels).frame
    test = frame[frame["split"] == "test"][["text", "actor"]].reset_index(drop=True)
    fp32 = StanceClassifier.load(args.model).estimator
    int8 = StanceClassifier.load(args.model, quantize="int8").estimator
    for model in (fp32, int8):
        model.eval_batch_size = args.batch_size
    runs = {
        "fp32, fixed padding to 64": lambda: fixed_padding_proba(fp32, test, args.batch_size, 64),
        "fp32, sorted dynamic padding": lambda: fp32.predict_proba(test),
        "int8, sorted dynamic padding": lambda: int8.predict_proba(test),
    }
    results = {name: timed(run, args.repeat) for name, run in runs.items()}
    reference = results["fp32, sorted dynamic padding"][1].argmax(1)
    print(f"{len(test)} test sentences, batch {args.batch_size}, {args.threads} threads\n")
    print("| variant | sentences/s | agreement with fp32 |\n|---|---|---|")
    for name, (seconds, proba) in results.items():
        agreement = float(np.mean(proba.argmax(1) == reference))
        print(f"| {name} | {len(test) / seconds:.1f} | {agreement:.1%} |")


if __name__ == "__main__":
    main()
