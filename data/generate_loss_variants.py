"""Generate the reference data for the losses set beside cross-entropy.

Writes data/reference/loss-variants.json (format "loss-variants-reference/1"), computed by the
real PyTorch on this machine, in float64:

  multi-margin cases   F.multi_margin_loss(x, y, p, margin, reduction) for "none", "sum" and
                       "mean", and x.grad after the "mean" loss's backward()
  focal cases          the softmax focal loss -(1 - p_y)^gamma log p_y, built from
                       ce = F.cross_entropy(x, y, reduction="none") as (1 - exp(-ce))^gamma * ce
                       (PyTorch has no softmax focal loss), its "none" and "mean" values, and
                       x.grad after the "mean" loss's backward() (autograd, not the formula)
  float16 cases        x.to(float16) and x.to(bfloat16), read back in float64: the rounding
                       of half precision, overflow to infinity and underflow to 0 included

Run from the repository root with the Debian python that has torch 1.13:

  /usr/bin/python3 data/generate_loss_variants.py      # or: npm run reference

Deterministic: every random number comes from a generator seeded from SEED and the case's
name, so the file comes out byte-identical.
"""

import os
import zlib

import torch
import torch.nn.functional as F

from generate_reference import NAN_ENCODING, encode, write_document

SEED = 20261202
ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "reference", "loss-variants.json")
GENERATOR = "data/generate_loss_variants.py"


def rng(name):
    return torch.Generator().manual_seed(SEED + zlib.crc32(name.encode()))


def random_case(name, n, c, scale):
    gen = rng(name)
    logits = scale * torch.randn((n, c), generator=gen, dtype=torch.float64)
    targets = torch.randint(0, c, (n,), generator=gen)
    return logits, targets


def score_cases():
    """(name, logits, targets): the same batches serve both losses."""
    cs231n = torch.tensor([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], dtype=torch.float64)
    return [
        ("cs231n cat car frog/3x3", cs231n, torch.tensor([0, 1, 2])),
        ("random/4x5", *random_case("random/4x5", 4, 5, 1.0)),
        ("random wide/3x10", *random_case("random wide/3x10", 3, 10, 3.0)),
        ("random tall/16x3", *random_case("random tall/16x3", 16, 3, 2.0)),
        # Each hinge term lands exactly on 0 (x_y - x_j = margin = 1): PyTorch's gradient there is 0.
        ("on the margin/2x3", torch.tensor([[1.0, 0.0, 0.0], [0.0, 2.0, 1.0]], dtype=torch.float64), torch.tensor([0, 1])),
        ("right by far/2x3", torch.tensor([[9.0, 0.0, -1.0], [0.0, 0.5, 30.0]], dtype=torch.float64), torch.tensor([0, 2])),
        ("large logits/2x3", torch.tensor([[1000.0, 1001.0, 1002.0], [-50.0, 40.0, 0.0]], dtype=torch.float64), torch.tensor([0, 2])),
    ]


def margin_record(name, logits, targets, p, margin):
    x = logits.clone().requires_grad_(True)
    loss = F.multi_margin_loss(x, targets, p=p, margin=margin, reduction="mean")
    loss.backward()
    return {
        "kind": "multi-margin",
        "name": f"{name} p={p} margin={margin}",
        "logits": encode(logits.tolist()),
        "targets": targets.tolist(),
        "p": p,
        "margin": margin,
        "none": encode(F.multi_margin_loss(logits, targets, p=p, margin=margin, reduction="none").tolist()),
        "sum": encode(F.multi_margin_loss(logits, targets, p=p, margin=margin, reduction="sum").item()),
        "mean": encode(loss.item()),
        "gradMean": encode(x.grad.tolist()),
    }


def focal(logits, targets, gamma):
    ce = F.cross_entropy(logits, targets, reduction="none")
    return (1 - torch.exp(-ce)) ** gamma * ce


def focal_record(name, logits, targets, gamma):
    x = logits.clone().requires_grad_(True)
    loss = focal(x, targets, gamma).mean()
    loss.backward()
    return {
        "kind": "focal",
        "name": f"{name} gamma={gamma}",
        "logits": encode(logits.tolist()),
        "targets": targets.tolist(),
        "gamma": gamma,
        "none": encode(focal(logits, targets, gamma).tolist()),
        "mean": encode(loss.item()),
        "gradMean": encode(x.grad.tolist()),
    }


def half_record():
    values = [0.0, 1.0, 0.1, 1 / 3, -2.5, 11.0, 11.1, 88.0, 88.8, 1000.0, 65504.0, 65519.0, 65520.0,
              1e5, 3.0e38, 3.4e38, 1e-5, 6e-8, 2.9e-8, 3.0e-8, 1e-8, 1e-39, 1e-46, -1e-46,
              2.0 ** -24, 2.0 ** -25, 1.5 * 2.0 ** -24, 2049.0, 2051.0, 1.00048828125, 1.00146484375,
              257.0, 259.0, 1.00390625, 1.01171875]
    gen = rng("float16 random")
    values += (torch.randn(40, generator=gen, dtype=torch.float64) * 30).tolist()
    x = torch.tensor(values, dtype=torch.float64)
    return {
        "kind": "float16",
        "name": "float16 and bfloat16 rounding",
        "values": encode(values),
        "float16": encode(x.to(torch.float16).to(torch.float64).tolist()),
        "bfloat16": encode(x.to(torch.bfloat16).to(torch.float64).tolist()),
    }


def main():
    torch.set_num_threads(1)
    recorded = []
    for name, logits, targets in score_cases():
        for p, margin in ((1, 1.0), (2, 1.0), (1, 0.5)):
            recorded.append(margin_record(name, logits, targets, p, margin))
    for name, logits, targets in score_cases():
        for gamma in (0.0, 0.5, 2.0, 5.0):
            recorded.append(focal_record(name, logits, targets, gamma))
    recorded.append(half_record())
    document = {
        "format": "loss-variants-reference/1",
        "generator": GENERATOR,
        "torch": torch.__version__,
        "dtype": "float64",
        "seed": SEED,
        "encoding": NAN_ENCODING,
        "cases": recorded,
    }
    size = write_document(OUT, document)
    print(f"wrote data/reference/loss-variants.json: {len(recorded)} cases, {size} bytes")


if __name__ == "__main__":
    main()
