"""BERT for span extraction in plain JAX: the forward pass the reader is trained with.

Parameters are the base model's safetensors tensors under their own names (PyTorch layout:
a dense weight is [out, in]), the six layers stacked so one compiled layer is scanned, plus
the span head `qa.weight` [2, hidden]. training/export_reader.py writes the same graph
as ONNX.
"""

import jax
import jax.numpy as jnp
import numpy as np
from safetensors.numpy import load_file

HEADS = 12
EPS = 1e-12
_LAYER = ("attention.self.query", "attention.self.key", "attention.self.value",
          "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
          "output.dense", "output.LayerNorm")


def load(path: str, seed: int = 0) -> dict:
    tensors = load_file(path)
    layers = sorted({int(k.split(".")[2]) for k in tensors if k.startswith("encoder.layer.")})
    params = {k: tensors[f"embeddings.{k}"] for k in
              ("word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
               "LayerNorm.weight", "LayerNorm.bias")}
    for name in _LAYER:
        for part in ("weight", "bias"):
            params[f"{name}.{part}"] = np.stack([tensors[f"encoder.layer.{i}.{name}.{part}"] for i in layers])
    hidden = params["LayerNorm.weight"].shape[0]
    params["qa.weight"] = np.random.default_rng(seed).normal(0, 0.02, (2, hidden)).astype(np.float32)
    params["qa.bias"] = np.zeros(2, np.float32)
    return {k: jnp.asarray(v) for k, v in params.items()}


def _norm(x, g, b):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + EPS) * g + b


def _dense(x, p, name):
    w, b = p[f"{name}.weight"], p[f"{name}.bias"]
    return x @ w.T + b


def forward(params: dict, ids, types, mask):
    """Start and end logits [batch, length]."""
    length = ids.shape[1]
    h = (params["word_embeddings.weight"][ids] + params["position_embeddings.weight"][:length][None]
         + params["token_type_embeddings.weight"][types])
    h = _norm(h, params["LayerNorm.weight"], params["LayerNorm.bias"])
    bias = (1.0 - mask[:, None, None, :].astype(h.dtype)) * -10000.0
    stacked = {k: v for k, v in params.items() if k.split(".")[0] in ("attention", "intermediate", "output")}

    def layer(h, p):
        batch, length, hidden = h.shape
        split = lambda x: x.reshape(batch, length, HEADS, hidden // HEADS).transpose(0, 2, 1, 3)
        q, k, v = (split(_dense(h, p, f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(hidden // HEADS) + bias
        context = (jax.nn.softmax(scores, -1) @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        h = _norm(h + _dense(context, p, "attention.output.dense"),
                  p["attention.output.LayerNorm.weight"], p["attention.output.LayerNorm.bias"])
        inner = jax.nn.gelu(_dense(h, p, "intermediate.dense"), approximate=False)
        h = _norm(h + _dense(inner, p, "output.dense"), p["output.LayerNorm.weight"], p["output.LayerNorm.bias"])
        return h, None

    h, _ = jax.lax.scan(layer, h, stacked)
    logits = h @ params["qa.weight"].T + params["qa.bias"]
    return logits[..., 0], logits[..., 1]
