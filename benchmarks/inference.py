"""Transformer inference speed on CPU: fp32 vs int8, and how often they agree.

    python benchmarks/inference.py --model <model folder> [--batch-size 32]
    python benchmarks/inference.py --bert-base      # speed of a BERT-base-sized model

Scores the test split of the corpus (`--data`, default haltung_news) four ways and prints a
Markdown table for benchmarks/README.md:
  fp32, padded to a fixed length (64), in corpus order    (the naive reference)
  fp32, length-sorted batches with dynamic padding         (what haltung does)
  int8 without smoothing, sorted dynamic padding           (plain ONNX Runtime dynamic int8)
  int8, sorted dynamic padding                             (load(…, quantize="int8"))
The variants take turns in each of `--repeat` rounds (every other round in reverse order, after
one warm-up pass each); sentences/s is the median over the rounds, a ratio the median of the
rounds' ratios (with their range), so that a machine slowing down for a while slows every
variant alike. Agreement is with the fp32 predictions. Above the table: the CPU model and the
instruction sets int8 speed depends on (AVX2, AVX-512, VNNI, AMX); below it the ratios the int8
goals are stated in. `--smoothing` adds int8 rows smoothed in other ways (`--smoothing none
value+pooler value+pooler+gelu`).
`--bert-base` builds a randomly initialised BERT-base (12 layers, hidden 768, WordPiece
vocabulary of 30,000 learnt from the corpus) for the speed figures only: with random weights,
agreement means nothing. The int8 models are built in a temporary cache.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from machine import cpu_line  # benchmarks/machine.py

from haltung.config import compose
from haltung.data import DataSpec, load_dataset
from haltung.models import int8
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


def timed_in_turns(runs: dict, repeat: int) -> tuple[dict[str, list[float]], dict]:
    """Seconds of each run per round, the runs taking turns within a round (a machine that
    slows down for a while slows every variant alike; every other round in reverse order), after
    one warm-up pass each; and each run's last result."""
    results = {name: run() for name, run in runs.items()}  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for turn in range(repeat):
        names = list(runs) if turn % 2 == 0 else list(runs)[::-1]
        for name in names:
            run = runs[name]
            started = time.perf_counter()
            results[name] = run()
            seconds[name].append(time.perf_counter() - started)
    return seconds, results


def ratio(seconds: dict[str, list[float]], faster: str, slower: str) -> str:
    """Speed of `faster` over `slower`: the median of the per-round ratios, and their range."""
    rounds = [b / a for a, b in zip(seconds[faster], seconds[slower], strict=True)]
    return f"{statistics.median(rounds):.2f}x ({min(rounds):.2f}-{max(rounds):.2f})"


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


FIXED = "fp32, fixed padding to 64"
SORTED = "fp32, sorted dynamic padding"
PLAIN = "int8 without smoothing, sorted dynamic padding"
SHIPPED = "int8 (haltung), sorted dynamic padding"


def variant(model: TransformerClassifier, folder: Path, parts: str, target: Path):
    """A copy of the shipped int8 `model` that runs an int8 graph smoothed with other `parts`
    (`value+pooler`, …; see `haltung.models.int8.smoothed`)."""
    from safetensors.torch import load_file

    from haltung.models.transformer import _saved_model

    chosen = [p for p in parts.split("+") if p and p != "none"]
    example = dict(model.tokenizer_(["Akteur"], ["Ein Satz."], return_tensors="pt"))
    ranges = load_file(folder / RANGES_FILE)
    int8.export_int8(_saved_model(folder), example, target, ranges, parts=chosen)
    other = copy.copy(model)
    other.int8_ = int8.OnnxRunner(
        target, model.int8_.session.get_session_options().intra_op_num_threads
    )
    return other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a transformer model folder (experiments/outputs/…/model)")
    source.add_argument("--bert-base", action="store_true", help="random BERT-base, speed only")
    parser.add_argument("--data", default="haltung_news")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument(
        "--smoothing",
        nargs="*",
        default=[],
        metavar="PARTS",
        help="more int8 rows smoothed with these parts, e.g. value+pooler value+pooler+gelu "
        f"(parts: {', '.join(int8.SMOOTHING_PARTS)}; shipped: {'+'.join(int8.SMOOTHING)})",
    )
    args = parser.parse_args()
    for parts in args.smoothing:
        unknown = set(parts.split("+")) - {*int8.SMOOTHING_PARTS, "none", ""}
        if unknown:
            parser.error(f"unknown smoothing parts in {parts}: {', '.join(sorted(unknown))}")
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
        fp32 = TransformerClassifier.load(folder)
        shipped = TransformerClassifier.load(folder, quantize="int8")
        models = {
            FIXED: fp32,
            SORTED: fp32,
            PLAIN: TransformerClassifier.load(plain, quantize="int8"),
            SHIPPED: shipped,
        }
        for parts in args.smoothing:
            target = Path(tmp) / "variants" / parts / "model.onnx"
            models[f"int8 smoothing {parts}"] = variant(shipped, folder, parts, target)
        for model in models.values():
            model.eval_batch_size = args.batch_size
        runs = {
            name: (
                (lambda rows: fixed_padding_proba(fp32, rows, args.batch_size, 64))
                if name == FIXED
                else model.predict_proba
            )
            for name, model in models.items()
        }
        seconds, results = timed_in_turns(
            {name: (lambda run=run: run(test)) for name, run in runs.items()}, args.repeat
        )
    reference = results[SORTED].argmax(1)
    speed = {name: len(test) / statistics.median(s) for name, s in seconds.items()}
    kind = "random BERT-base (speed only)" if args.bert_base else str(args.model)
    print(cpu_line())
    print(f"{kind}: {len(test)} test sentences, batch {args.batch_size}, {args.threads} threads\n")
    print("| variant | sentences/s | agreement with fp32 |\n|---|---|---|")
    for name, proba in results.items():
        agreement = f"{np.mean(proba.argmax(1) == reference):.1%}"
        print(f"| {name} | {speed[name]:.1f} | {'—' if args.bert_base else agreement} |")
    print(
        f"\nspeed ratios, median of {args.repeat} rounds (range): "
        f"int8 (haltung) / int8 without smoothing {ratio(seconds, SHIPPED, PLAIN)}; "
        f"int8 (haltung) / fp32 fixed padding {ratio(seconds, SHIPPED, FIXED)}; "
        f"int8 (haltung) / fp32 sorted {ratio(seconds, SHIPPED, SORTED)}"
    )


if __name__ == "__main__":
    main()
