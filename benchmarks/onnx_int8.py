"""Exploration for the next step of int8 inference: ONNX Runtime dynamic quantisation.

    pip install onnx        # onnxruntime comes with the me5 extra
    python benchmarks/onnx_int8.py --model <transformer model folder>

Exports the fine-tuned classifier to ONNX, quantises it several ways, and prints sentences/s
and the agreement of the predictions with torch fp32 on the corpus's test split (batch 32,
sorted dynamic padding, 2 threads). Not used by haltung yet; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from haltung import StanceClassifier
from haltung.config import compose
from haltung.data import DataSpec, load_dataset
from haltung.task import Task


def run_onnx(path: Path, estimator, frame, names: list[str], batch: int = 32):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    encoded = estimator._encode(frame)
    order = np.argsort([len(e["input_ids"]) for e in encoded], kind="stable")
    out = np.zeros((len(frame), len(estimator.classes_)), dtype=np.float32)
    started = time.perf_counter()
    for start in range(0, len(order), batch):
        rows = order[start : start + batch]
        padded = estimator.tokenizer_.pad([encoded[r] for r in rows], return_tensors="np")
        out[rows] = session.run(None, {k: padded[k].astype(np.int64) for k in names})[0]
    return len(frame) / (time.perf_counter() - started), out.argmax(1)


def main() -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    cfg = compose()
    frame = load_dataset(DataSpec.from_config(cfg.data), Task.from_config(cfg.task).labels).frame
    test = frame[frame["split"] == "test"][["text", "actor"]].reset_index(drop=True)
    estimator = StanceClassifier.load(args.model).estimator
    reference = estimator.predict_proba(test).argmax(1)
    example = estimator.tokenizer_(["Akteur"], ["Ein Satz."], return_tensors="pt")
    names = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in example]
    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "model.onnx", Path(tmp) / "int8.onnx"
        torch.onnx.export(
            estimator.model_.eval(),
            tuple(example[k] for k in names),
            str(fp32),
            input_names=names,
            output_names=["logits"],
            opset_version=17,
            dynamo=False,
            dynamic_axes={**{k: {0: "batch", 1: "tokens"} for k in names}, "logits": {0: "batch"}},
        )
        variants = {
            "int8 per-tensor": {"per_channel": False},
            "int8 per-channel": {"per_channel": True},
            "int8 per-channel, reduce_range": {"per_channel": True, "reduce_range": True},
        }
        print("| variant | sentences/s | agreement with torch fp32 |\n|---|---|---|")
        speed, predicted = run_onnx(fp32, estimator, test, names)
        print(f"| onnx fp32 | {speed:.1f} | {np.mean(predicted == reference):.1%} |")
        for name, options in variants.items():
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, **options)
            speed, predicted = run_onnx(int8, estimator, test, names)
            print(f"| {name} | {speed:.1f} | {np.mean(predicted == reference):.1%} |")


if __name__ == "__main__":
    main()
