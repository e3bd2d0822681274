#!/usr/bin/env python3
"""Reference implementation in PyTorch for trainwatch's reference-check.

Reads reference-input.json (written by `trainwatch export`): the model's layers with their
weights and one batch, all in tfjs layouts. Builds the same network in PyTorch, runs the batch
forward (inference mode) and backward with the same loss, and writes reference-dump.json: each
layer's output and each weight's gradient, converted back to tfjs layouts (NHWC activations,
[in, out] dense kernels, [kh, kw, cin, cout] conv kernels).

    python3 tools/reference/torch_dump.py reference-input.json reference-dump.json

Supported layers: Dense, Conv2D (padding same/valid, strides, dilation), MaxPooling2D,
AveragePooling2D, Flatten, Dropout (identity), Activation; activations linear, relu, sigmoid,
tanh, softmax, elu. Losses: categoricalCrossentropy, meanSquaredError.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

EPS = 1e-7


def tensor(a):
    return torch.tensor(a["data"], dtype=torch.float32).reshape(a["shape"])


def out_arr(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def activate(x, name):
    if name in (None, "linear"):
        return x
    if name == "relu":
        return F.relu(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "softmax":
        return F.softmax(x, dim=-1)
    if name == "elu":
        return F.elu(x)
    raise ValueError(f"unsupported activation {name}")


def pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


def same_pad(size, k, s, d=1):
    """TensorFlow's 'same' padding: total = max((ceil(n/s)-1)*s + (k-1)*d + 1 - n, 0), more after than before."""
    eff = (k - 1) * d + 1
    total = max((math.ceil(size / s) - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


def nhwc_to_nchw(x):
    return x.permute(0, 3, 1, 2)


def nchw_to_nhwc(x):
    return x.permute(0, 2, 3, 1)


def run_layer(layer, x, params):
    """x is in tfjs layout (NHWC for images); returns the output in tfjs layout."""
    cls, cfg = layer["class"], layer["config"]
    if cls == "Dense":
        k = params["kernel"]  # [in, out]
        y = torch.matmul(x, k)
        if "bias" in params:
            y = y + params["bias"]
        return activate(y, cfg.get("activation"))
    if cls == "Conv2D":
        k = params["kernel"].permute(3, 2, 0, 1)  # [kh, kw, cin, cout] -> [cout, cin, kh, kw]
        s, d = pair(cfg.get("strides", 1)), pair(cfg.get("dilationRate", 1))
        xc = nhwc_to_nchw(x)
        if cfg.get("padding") == "same":
            ph = same_pad(xc.shape[2], k.shape[2], s[0], d[0])
            pw = same_pad(xc.shape[3], k.shape[3], s[1], d[1])
            xc = F.pad(xc, (pw[0], pw[1], ph[0], ph[1]))
        y = F.conv2d(xc, k, params.get("bias"), stride=s, dilation=d)
        return activate(nchw_to_nhwc(y), cfg.get("activation"))
    if cls in ("MaxPooling2D", "AveragePooling2D"):
        p = pair(cfg.get("poolSize", 2))
        s = pair(cfg.get("strides") or p)
        xc = nhwc_to_nchw(x)
        if cfg.get("padding") == "same":
            ph, pw = same_pad(xc.shape[2], p[0], s[0]), same_pad(xc.shape[3], p[1], s[1])
            xc = F.pad(xc, (pw[0], pw[1], ph[0], ph[1]), value=-math.inf if cls == "MaxPooling2D" else 0.0)
        y = F.max_pool2d(xc, p, s) if cls == "MaxPooling2D" else F.avg_pool2d(xc, p, s)
        return nchw_to_nhwc(y)
    if cls == "Flatten":
        return x.reshape(x.shape[0], -1)  # x is NHWC already: the same element order as tfjs
    if cls == "Dropout":
        return x  # inference mode
    if cls == "Activation":
        return activate(x, cfg.get("activation"))
    raise ValueError(f"unsupported layer class {cls} ({layer['name']})")


def loss_fn(name, y, p):
    if name == "categoricalCrossentropy":
        return -(y * torch.log(torch.clamp(p, EPS, 1 - EPS))).sum(-1).mean()
    if name == "meanSquaredError":
        return ((y - p) ** 2).mean()
    raise ValueError(f"unsupported loss {name}")


def main(src, dst):
    spec = json.load(open(src))
    if spec.get("format") != "trainwatch-reference/1":
        raise SystemExit(f"{src}: not a trainwatch reference input")
    x, y = tensor(spec["batch"]["x"]), tensor(spec["batch"]["y"])
    params = []
    for layer in spec["layers"]:
        params.append({k: tensor(v).requires_grad_(True) for k, v in layer["weights"].items()})
    outputs = []
    h = x
    for layer, p in zip(spec["layers"], params):
        h = run_layer(layer, h, p)
        h.retain_grad()
        outputs.append(h)
    loss = loss_fn(spec["loss"], y, h)
    loss.backward()
    dump = {
        "format": "trainwatch-reference-dump/1",
        "framework": f"torch {torch.__version__}",
        "loss": loss.item(),
        "layers": [
            {
                "name": layer["name"],
                "output": out_arr(o),
                "grads": {k: out_arr(t.grad) for k, t in p.items() if t.grad is not None},
            }
            for layer, o, p in zip(spec["layers"], outputs, params)
        ],
    }
    with open(dst, "w") as f:
        json.dump(dump, f)
    print(f"{dst}: {len(dump['layers'])} layers, loss {dump['loss']:.6f} ({dump['framework']})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
