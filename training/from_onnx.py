"""Rebuild the reader's training parameters from its int8 ONNX, to fine-tune the shipped model.

    python -m training.from_onnx models/reader/reader.onnx [--check DATA.npz] [--out params.pkl]

The shipped model's fp32 checkpoint is gone; its ONNX keeps every weight, int8 where
onnxruntime quantized it (`<name>_quantized`, `_scale`, `_zero_point`; dense weights per
output channel, embeddings per tensor), float otherwise. `export_reader.build` is
deterministic, so building it from the base model's parameters names each initializer the
same way the shipped graph does: matching those initializers' values to (parameter, layer)
gives the map back. A dense weight is stored transposed (W.T). Dequantized:
weight = (q - zero_point) * scale.

`--check` compares JAX `forward` on the dequantized parameters with onnxruntime on the
ONNX for some windows (logit difference, share with the same best span or no-answer), and
quantizes the parameters again as export_reader does: the same initializers back means the
weights are exactly the shipped ones, and what JAX and the ONNX still differ by is the int8
runtime's quantization of activations (dynamic, per tensor), not the rebuilt weights.
On the shipped reader (first 256 windows of build/reader/windows.npz): requantized
initializers identical (211 of 211, logits equal), JAX vs int8 ONNX mean logit difference
0.13 (max 1.44; logits' spread 2.16), same best span on 90.2% (the model card's export
check, fp32 JAX vs int8 of the same weights: 92.4%).
"""

import argparse
import hashlib
import json
import pickle
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

_LAYERED = "attention", "intermediate", "output"


def _key(array: np.ndarray) -> str:
    array = np.ascontiguousarray(array, np.float32)
    return hashlib.sha1(str(array.shape).encode() + array.tobytes()).hexdigest()


def _mapping(base: dict) -> dict[str, tuple[str, int | None, bool]]:
    """Initializer name → (parameter, layer or None, stored transposed)."""
    from training.export_reader import build

    wanted = {}
    for name, value in base.items():
        value = np.asarray(value, np.float32)
        for layer, array in (enumerate(value) if name.split(".")[0] in _LAYERED else [(None, value)]):
            for transposed, stored in ((False, array), (True, array.T)):
                if transposed and array.ndim != 2:
                    continue
                key = _key(stored)
                if key in wanted and wanted[key][:2] != (name, layer):
                    raise SystemExit(f"ambiguous base values: {name} {layer} vs {wanted[key]}")
                wanted.setdefault(key, (name, layer, transposed))
    mapping = {}
    for init in build(base).graph.initializer:
        value = numpy_helper.to_array(init)
        if value.dtype == np.float32 and value.ndim >= 1 and value.size > 1:
            hit = wanted.get(_key(value))
            if hit is not None:
                mapping[init.name] = hit
    return mapping


def _dequantize(inits: dict, name: str) -> np.ndarray:
    if name in inits:
        return numpy_helper.to_array(inits[name]).astype(np.float32)
    q = numpy_helper.to_array(inits[f"{name}_quantized"]).astype(np.float32)
    scale = numpy_helper.to_array(inits[f"{name}_scale"]).astype(np.float32)
    zero = numpy_helper.to_array(inits[f"{name}_zero_point"]).astype(np.float32)
    if scale.ndim == 1 and q.ndim == 2:  # per channel: MatMul weights [in, out], channel = out
        if scale.shape[0] != q.shape[1]:
            raise SystemExit(f"{name}: scale of {scale.shape[0]} for weight {q.shape}")
        scale, zero = scale[None, :], zero[None, :]
    return (q - zero) * scale


def params_from_onnx(path: Path, base: dict | None = None) -> dict:
    """The training param dict (training/bert.py names and layout) of a reader ONNX."""
    if base is None:
        from training.bert import load
        from training.train_reader import _base_weights

        base = load(_base_weights())
        base = {k: np.asarray(v) for k, v in base.items()}
    # The base's span head is random: give it fixed distinct values so it maps too.
    base = dict(base)
    base["qa.weight"] = np.arange(base["qa.weight"].size, dtype=np.float32).reshape(base["qa.weight"].shape) + 0.5
    base["qa.bias"] = np.array([0.25, 0.75], np.float32)
    mapping = _mapping(base)
    inits = {i.name: i for i in onnx.load(str(path)).graph.initializer}
    out = {k: np.zeros_like(np.asarray(v, np.float32)) for k, v in base.items()}
    filled = {k: set() for k in base}
    for name, (param, layer, transposed) in mapping.items():
        value = _dequantize(inits, name)
        value = value.T if transposed else value
        if layer is None:
            out[param] = value.astype(np.float32)
        else:
            out[param][layer] = value
        filled[param].add(layer)
    missing = [k for k, v in base.items()
               if filled[k] != (set(range(len(v))) if k.split(".")[0] in _LAYERED else {None})]
    if missing:
        raise SystemExit(f"not found in {path}: {missing}")
    return out


def check(params: dict, onnx_path: Path, data: Path, windows: int) -> dict:
    import jax.numpy as jnp
    import onnxruntime

    from training.bert import forward
    from training.export_reader import _best, _run

    arrays = np.load(data)
    ids, types = arrays["ids"][:windows], arrays["types"][:windows]
    width = int((ids != 0).sum(1).max())
    ids, types = ids[:, :width].astype(np.int64), types[:, :width].astype(np.int64)
    mask = ids != 0
    ours = [np.asarray(x) for x in forward({k: jnp.asarray(v) for k, v in params.items()},
                                           jnp.asarray(ids), jnp.asarray(types), jnp.asarray(mask))]
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    theirs = _run(session, ids, types)
    diffs = np.concatenate([np.abs(o - t)[mask] for o, t in zip(ours, theirs)])
    spread = np.concatenate([t[mask] for t in theirs])
    agree = np.mean([a == b for a, b in zip(_best(*ours, types, ids), _best(*theirs, types, ids))])
    return {"windows": len(ids), "max_logit_diff": float(diffs.max()), "mean_logit_diff": float(diffs.mean()),
            "onnx_logit_std": float(spread.std()), "same_best_span": float(agree),
            **_requantized(params, onnx_path, ids, types)}


def _requantized(params: dict, onnx_path: Path, ids, types) -> dict:
    """Quantize the rebuilt params as export_reader does and compare with the ONNX they came from."""
    import tempfile

    from training.export_reader import _run, _session, quantize

    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        quantize(params, fp32, int8)
        again = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(int8)).graph.initializer}
        again_out = _run(_session(int8), ids, types)
    shipped = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(onnx_path)).graph.initializer}
    same = sum(k in again and again[k].shape == v.shape and np.array_equal(again[k], v) for k, v in shipped.items())
    shipped_out = _run(_session(onnx_path), ids, types)
    return {"requantized_same_initializers": f"{same}/{len(shipped)}",
            "requantized_max_logit_diff": max(float(np.abs(a - b).max()) for a, b in zip(again_out, shipped_out))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("onnx", type=Path)
    parser.add_argument("--check", type=Path, default=None, help="windows .npz to compare JAX and ONNX on")
    parser.add_argument("--windows", type=int, default=64)
    parser.add_argument("--out", type=Path, default=None, help="write the param dict (pickle)")
    args = parser.parse_args()
    params = params_from_onnx(args.onnx)
    if args.out:
        with open(args.out, "wb") as f:
            pickle.dump(params, f)
    if args.check:
        print(json.dumps(check(params, args.onnx, args.check, args.windows)))


if __name__ == "__main__":
    main()
