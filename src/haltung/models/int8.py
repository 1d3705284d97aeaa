"""Int8 CPU inference for fine-tuned encoders: smoothing, ONNX export, ONNX Runtime.

Dynamic int8 quantisation rounds every linear layer's input to 256 levels per tensor. A few
hidden channels of BERT-like encoders carry values 10-30 times larger than the rest, so the
other channels lose most of their resolution: plain dynamic int8 agreed with fp32 on only
96.8 % of me5-small's test predictions. Before export, each `nn.Linear` therefore divides
input channel j by s_j = max|x_j|^alpha / max|W_:,j|^(1-alpha) and multiplies weight column j by
it, which leaves the fp32 result unchanged but spreads the range between activations and
weights (the SmoothQuant recipe, Xiao et al. 2023). The maxima max|x_j| come from training
rows (`activation_ranges`, recorded at the end of `fit`).

The quantised model is cached under `$HALTUNG_CACHE/int8/` (else ~/.cache/haltung/int8/),
keyed by the weights, the ranges and this recipe, so only the first load pays for the export.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from haltung.errors import ModelLoadError

log = logging.getLogger(__name__)
RANGES_FILE = "activation-ranges.safetensors"
#: The migration strength, chosen on HaltungNews' dev split with fine-tuned me5-small
#: (agreement with fp32 at alpha 0.7 / 0.8 / 0.9: 99.1 / 99.6 / 99.1 %).
ALPHA = 0.8
RECIPE = f"smooth-{ALPHA}/dynamic-int8-per-channel/MatMul+Gather/opset-17/v2"
ONNX_HINT = (
    "int8 inference needs onnx and onnxruntime, which come with the bert extra: "
    "`pip install 'haltung[bert]'`."
)


def activation_ranges(
    model: torch.nn.Module, batches: Iterable[Mapping[str, torch.Tensor]]
) -> dict[str, torch.Tensor]:
    """The largest |input| per channel of every `nn.Linear`, over the calibration batches."""
    ranges: dict[str, torch.Tensor] = {}

    def record(name: str):
        def hook(_module, inputs):
            x = inputs[0].detach().float()
            peak = x.abs().reshape(-1, x.shape[-1]).amax(dim=0).cpu()
            ranges[name] = torch.maximum(ranges[name], peak) if name in ranges else peak

        return hook

    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    hooks = [m.register_forward_pre_hook(record(n)) for n, m in linears]
    try:
        with torch.inference_mode():
            for batch in batches:
                model(**batch)
    finally:
        for hook in hooks:
            hook.remove()
    return ranges


class SmoothedLinear(torch.nn.Module):
    """`linear(x)` computed as `(x / s) @ (W * s).T + b`: equal in fp32, easier to quantise."""

    def __init__(self, linear: torch.nn.Linear, scale: torch.Tensor):
        super().__init__()
        self.register_buffer("inverse", (1.0 / scale).to(linear.weight.dtype))
        self.linear = torch.nn.Linear(
            linear.in_features, linear.out_features, bias=linear.bias is not None
        )
        with torch.no_grad():
            self.linear.weight.copy_(linear.weight * scale)
            if linear.bias is not None:
                self.linear.bias.copy_(linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x * self.inverse)


def smoothed(
    model: torch.nn.Module, ranges: Mapping[str, torch.Tensor], alpha: float = ALPHA
) -> torch.nn.Module:
    """A copy of `model` whose linear layers with recorded ranges are `SmoothedLinear`."""
    model = copy.deepcopy(model).cpu().eval()
    for name, module in list(model.named_modules()):
        if not isinstance(module, torch.nn.Linear) or name not in ranges:
            continue
        peak = ranges[name].float().clamp(min=1e-5)
        weight = module.weight.detach().float().abs().amax(dim=0).clamp(min=1e-5)
        scale = peak.pow(alpha) / weight.pow(1 - alpha)
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, SmoothedLinear(module, scale))
    return model


def cache_key(files: Iterable[Path]) -> str:
    """A digest of the recipe and the files (a missing file counts as its name)."""
    digest = hashlib.sha256(RECIPE.encode())
    for path in files:
        digest.update(path.name.encode())
        if not path.is_file():
            digest.update(b"missing")
            continue
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:24]


def int8_home() -> Path:
    from haltung.config import cache_home

    return cache_home() / "int8"


def export_int8(
    model: torch.nn.Module,
    example: Mapping[str, torch.Tensor],
    target: Path,
    ranges: Mapping[str, torch.Tensor] | None,
) -> Path:
    """Smooth (when `ranges` are given), export to ONNX, quantise dynamically to `target`."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as err:
        raise ModelLoadError(f"{ONNX_HINT} ({err})") from None
    model = smoothed(model, ranges) if ranges else model.eval()  # export leaves it unchanged
    names = list(example)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = tempfile.mkdtemp(dir=target.parent)
    except OSError as err:
        raise ModelLoadError(
            f"The int8 model cannot be written to {target.parent} ({err.strerror}); set "
            "HALTUNG_CACHE to a writable folder."
        ) from None
    try:
        fp32 = Path(tmp) / "fp32.onnx"
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # tracer warnings about shapes and deprecations
            torch.onnx.export(
                _ByName(model, names),
                tuple(example[k] for k in names),
                str(fp32),
                input_names=names,
                output_names=["logits"],
                opset_version=17,
                dynamo=False,
                dynamic_axes={
                    **{k: {0: "batch", 1: "tokens"} for k in names},
                    "logits": {0: "batch"},
                },
            )
        partial = Path(tmp) / "int8.onnx"
        with _quiet_root_logger():  # ONNX Runtime suggests pre-processing (measured: no gain)
            quantize_dynamic(
                str(fp32),
                str(partial),
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul", "Gather"],
            )
        os.replace(partial, target)  # atomic: a crash never leaves half a model in the cache
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


class _ByName(torch.nn.Module):
    """Positional inputs to keyword arguments: the tokenizer's order of `input_ids`,
    `token_type_ids`, `attention_mask` is not the order of BERT's `forward`."""

    def __init__(self, model: torch.nn.Module, names: list[str]):
        super().__init__()
        self.model, self.names = model, names

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.model(**dict(zip(self.names, inputs, strict=True))).logits


@contextmanager
def _quiet_root_logger():
    """Mute warnings logged on the root logger, without `logging.warning` configuring it."""
    root, guard, disabled = logging.getLogger(), logging.NullHandler(), logging.root.manager.disable
    root.addHandler(guard)  # a handler present: logging.warning() will not call basicConfig()
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(disabled)
        root.removeHandler(guard)


class OnnxRunner:
    """An ONNX Runtime session that maps a padded batch (numpy) to logits."""

    def __init__(self, path: Path, threads: int | None = None):
        try:
            import onnxruntime as ort
        except ImportError as err:
            raise ModelLoadError(f"{ONNX_HINT} ({err})") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads or torch.get_num_threads())
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.path = path

    def __call__(self, batch: Mapping[str, np.ndarray]) -> np.ndarray:
        feed = {k: np.asarray(batch[k], dtype=np.int64) for k in self.input_names}
        return self.session.run(None, feed)[0]
