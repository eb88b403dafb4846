"""Generate the reference data for entropy, cross-entropy and KL divergence of distributions.

Writes data/reference/information.json (format "information-reference/1"), computed by the
real PyTorch on this machine, in float64. Each case holds a batch of target distributions q
and model distributions p, both (N, C), and per row:

  entropyQ, entropyP   torch.distributions.Categorical(probs=...).entropy()
  crossEntropy         F.cross_entropy(p.log(), q, reduction="none"): H(q, p) = -sum q log p
                       (cross_entropy takes logits; log p are logits whose softmax is p)
  klQP                 F.kl_div(p.log(), q, reduction="none").sum(-1): KL(q || p)
  klPQ                 F.kl_div(q.log(), p, reduction="none").sum(-1): KL(p || q)

kl_div(input, target) takes the model's LOG-probabilities as input and the target's
probabilities as target, and computes target * (log target - input) elementwise: so
KL(q || p) is kl_div(log p, q), with the arguments in the opposite order to the formula.

Run from the repository root with the Debian python that has torch 1.13:

  /usr/bin/python3 data/generate_information.py      # or: npm run reference

Deterministic: every random number comes from a generator seeded from SEED and the case's
name, so the file comes out byte-identical. NaN and infinities are written as the strings
"NaN", "Infinity" and "-Infinity", as in data/reference/cross-entropy.json.
"""

import math
import os
import zlib

import torch
import torch.nn.functional as F

from generate_reference import NAN_ENCODING, encode, write_document

SEED = 20260404
ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "reference", "information.json")
GENERATOR = "data/generate_information.py"


def rng(name):
    return torch.Generator().manual_seed(SEED + zlib.crc32(name.encode()))


def random_rows(name, n, c, scale=1.0):
    """Softmax of scaled normal numbers: rows that sum to 1 up to rounding."""
    logits = scale * torch.randn((n, c), generator=rng(name), dtype=torch.float64)
    return torch.softmax(logits, 1)


def one_hot(targets, c):
    return F.one_hot(torch.tensor(targets), c).to(torch.float64)


def smoothed(targets, c, e):
    """Label smoothing's target distribution: (1 - e) * onehot + e / C."""
    return (1 - e) * one_hot(targets, c) + e / c


def rows(values):
    return torch.tensor(values, dtype=torch.float64)


def cases():
    """(name, q, p): each a (N, C) float64 tensor."""
    uniform = lambda n, c: torch.full((n, c), 1.0 / c, dtype=torch.float64)
    return [
        ("random/3x4", random_rows("q/3x4", 3, 4), random_rows("p/3x4", 3, 4)),
        ("random/5x10", random_rows("q/5x10", 5, 10), random_rows("p/5x10", 5, 10)),
        ("random/2x27", random_rows("q/2x27", 2, 27), random_rows("p/2x27", 2, 27)),
        ("peaked p/4x5", random_rows("q/4x5", 4, 5), random_rows("p/4x5", 4, 5, scale=8.0)),
        ("one class/2x1", rows([[1.0], [1.0]]), rows([[1.0], [1.0]])),
        ("coins/3x2", rows([[0.5, 0.5], [0.9, 0.1], [0.5, 0.5]]), rows([[0.9, 0.1], [0.5, 0.5], [0.5, 0.5]])),
        ("uniform q/2x6", uniform(2, 6), random_rows("p/2x6", 2, 6)),
        ("p = q/3x5", random_rows("q/3x5", 3, 5), random_rows("q/3x5", 3, 5)),
        ("one-hot q/4x3", one_hot([0, 2, 1, 2], 3), random_rows("p/4x3", 4, 3)),
        ("label smoothing 0.1/4x5", smoothed([0, 3, 4, 1], 5, 0.1), random_rows("p/ls/4x5", 4, 5)),
        ("label smoothing 0.1, p = q/4x5", smoothed([0, 3, 4, 1], 5, 0.1), smoothed([0, 3, 4, 1], 5, 0.1)),
        # p = 0 where q > 0: H(q, p) and KL(q || p) are +Infinity.
        ("p misses a class of q/2x3", rows([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]), rows([[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]])),
        # q = p = 0 in one class: 0 by convention; PyTorch's kl_div and cross_entropy give NaN there.
        ("q and p share a zero/2x3", rows([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75]]), rows([[0.4, 0.6, 0.0], [0.0, 0.5, 0.5]])),
    ]


def record(name, q, p):
    entropy_q = torch.distributions.Categorical(probs=q).entropy()
    entropy_p = torch.distributions.Categorical(probs=p).entropy()
    cross = F.cross_entropy(p.log(), q, reduction="none")
    kl_qp = F.kl_div(p.log(), q, reduction="none").sum(-1)
    kl_pq = F.kl_div(q.log(), p, reduction="none").sum(-1)
    return {
        "name": name,
        "q": encode(q.tolist()),
        "p": encode(p.tolist()),
        "entropyQ": encode(entropy_q.tolist()),
        "entropyP": encode(entropy_p.tolist()),
        "crossEntropy": encode(cross.tolist()),
        "klQP": encode(kl_qp.tolist()),
        "klPQ": encode(kl_pq.tolist()),
    }


def check(case):
    """What the notebook teaches must hold in PyTorch's own numbers, where they are finite:
    H(q, p) = H(q) + KL(q || p), KL >= 0, and KL(q || q) = 0."""
    for n, (h, ce, kl) in enumerate(zip(case["entropyQ"], case["crossEntropy"], case["klQP"])):
        if all(isinstance(v, float) and math.isfinite(v) for v in (h, ce, kl)):
            assert abs(ce - (h + kl)) <= 1e-12 * max(1.0, abs(ce)), (case["name"], n, ce, h, kl)
            assert kl >= -1e-15, (case["name"], n, kl)
    if case["name"].startswith("p = q") or case["name"].startswith("label smoothing 0.1, p = q"):
        assert all(abs(v) <= 1e-15 for v in case["klQP"]), case["name"]


def main():
    torch.set_num_threads(1)
    recorded = [record(name, q, p) for name, q, p in cases()]
    for case in recorded:
        check(case)
    shared_zero = next(c for c in recorded if c["name"].startswith("q and p share a zero"))
    assert shared_zero["klQP"][0] == "NaN", "kl_div's 0 * (log 0 - log 0) is NaN, as the notes say"
    document = {
        "format": "information-reference/1",
        "generator": GENERATOR,
        "torch": torch.__version__,
        "dtype": "float64",
        "seed": SEED,
        "encoding": NAN_ENCODING,
        "cases": recorded,
    }
    size = write_document(OUT, document)
    print(f"wrote data/reference/information.json: {len(recorded)} cases, {size} bytes")


if __name__ == "__main__":
    main()
