"""Generate PyTorch reference cases for logits with a large spread, the inputs that once broke
crossEntropyFlat (issue 8): a logit far below or above the rest of its row, a whole row far
from 0, with and without label smoothing and class weights.

Writes data/reference/flat-spread.json (format "cross-entropy-reference/1", the same case
layout as cross-entropy.json, plus one field per case: "logitsDtype"). A case whose
logitsDtype is "float32" holds logits that are exact float32 numbers: a test feeds them to
crossEntropyFlat as a Float32Array and compares with PyTorch's float64 answer on those same
numbers, which is what every case stores (F.cross_entropy in float64, autograd gradient).

Run from the repository root with the Debian python that has torch 1.13 (npm run reference
runs it after generate_reference.py):

  /usr/bin/python3 data/generate_spread.py

Deterministic: every random number comes from a generator seeded from SEED and the section's
name, so running it twice gives a byte-identical file.
"""

import os

import torch

from generate_reference import NAN_ENCODING, OUT_DIR, REDUCTIONS, SEED, make_case, rng, write_document

GENERATOR = "data/generate_spread.py"

# Gaps between the far logits and the rest of the row: 10^k. float32 holds up to 3.4e38.
GAP_EXPONENTS = {"float64": (0, 1, 2, 4, 8, 12, 16, 30, 100, 300), "float32": (0, 1, 2, 4, 8, 12, 16, 30)}

# (label, weights?, ignore?, smoothing)
COMBOS = [
    ("plain", False, False, None),
    ("smoothing", False, False, 0.2),
    ("weight+smoothing", True, False, 0.3),
    ("weight+ignore+smoothing", True, True, 0.1),
]


def as_dtype(logits, dtype):
    """The logits as PyTorch holds them in `dtype`, back in float64: the same numbers."""
    return logits.to(getattr(torch, dtype)).to(torch.float64)


def tag(cases, dtype):
    for case in cases:
        case["logitsDtype"] = dtype
    return cases


def all_reductions(name, group, logits, target, dtype, **options):
    cases = [make_case(f"{name}/{r}", group, logits, target, r, **options) for r in REDUCTIONS]
    return tag(cases, dtype)


def issue_cases():
    """The examples of issue 8, as written there, and the gap ladder of its first example."""
    cases = []
    for gap in (1e4, 1e8, 1e10, 1e16, 1e30):
        logits = torch.tensor([[0.5, 0.2, -gap]], dtype=torch.float64)
        cases += all_reductions(f"issue/target-{gap:g}-below", "issue", logits, torch.tensor([2]), "float64")
    cases += all_reductions("issue/weight+smoothing/minus-1e30", "issue",
                            torch.tensor([[0.77, -0.29, -1e30, 1.70]], dtype=torch.float64),
                            torch.tensor([2]), "float64", weight=[0.5, 2.0, 0.0, 1.0],
                            label_smoothing=0.3)
    cases += all_reductions("issue/smoothing/offset-1e12", "issue",
                            torch.tensor([[1e12 + 0.5, 1e12 - 0.25, 1e12 + 1.5]], dtype=torch.float64),
                            torch.tensor([1]), "float64", label_smoothing=0.3)
    cases += all_reductions("issue/smoothing/all-minus-1e30", "issue",
                            torch.full((1, 4), -1e30, dtype=torch.float64), torch.tensor([1]),
                            "float64", label_smoothing=0.1)
    return cases


def spread_logits(gen, gap):
    """Four rows of 6 classes around N(0, 3²), each with one way of being spread by `gap`:
    row 0: its target and one more class `gap` below the rest;
    row 1: two classes `gap` above the rest (the target is not one of them);
    row 2: the whole row shifted by `gap` (its differences survive below a gap of ~1e15);
    row 3: its first logit (the kernel's smoothing reference point) `gap` below the rest.
    Returns the logits and the targets."""
    x = 3 * torch.randn((4, 6), generator=gen, dtype=torch.float64)
    targets = torch.tensor([2, 4, 1, 3])
    x[0, 2] -= gap
    x[0, 5] -= gap
    x[1, 0] += gap
    x[1, 3] += gap
    x[2] += gap
    x[3, 0] -= gap
    return x, targets


def spread_cases():
    cases = []
    for dtype, exponents in GAP_EXPONENTS.items():
        for k in exponents:
            gen = rng(f"spread/{dtype}/1e{k}")
            x, targets = spread_logits(gen, 10.0 ** k)
            x = as_dtype(x, dtype)
            # Class 0 weighs nothing: row 3's far first logit then drops out of the smoothing sum.
            weight = [0.0] + [round(float(v), 2) for v in 0.25 + 2 * torch.rand(5, generator=gen, dtype=torch.float64)]
            ignored = targets.clone()
            ignored[1] = -100
            for label, use_w, use_ii, e in COMBOS:
                cases += all_reductions(f"spread/{dtype}/1e{k}/{label}", "spread", x,
                                        ignored if use_ii else targets, dtype,
                                        weight=weight if use_w else None,
                                        ignore_index=-100 if use_ii else None,
                                        label_smoothing=e)
    return cases


def check(cases):
    names = [case["name"] for case in cases]
    assert len(names) == len(set(names)), "repeated case names"
    # The issue's PyTorch numbers, as its author saw them.
    by_name = {case["name"]: case for case in cases}
    # (The issue reports 0.4445 for its first smoothing example; PyTorch 1.13 gives 0.4452.)
    assert round(by_name["issue/weight+smoothing/minus-1e30/sum"]["loss"], 4) == 0.4452
    assert round(by_name["issue/smoothing/offset-1e12/mean"]["loss"], 7) == 1.9328555
    assert round(by_name["issue/smoothing/all-minus-1e30/mean"]["loss"], 4) == 1.3863
    assert [round(g, 4) for g in by_name["issue/target-1e+30-below/sum"]["grad"][0]] == [0.5744, 0.4256, -1.0]
    for case in cases:
        if case["logitsDtype"] == "float32":
            x = torch.tensor(case["logits"], dtype=torch.float64)
            assert torch.equal(as_dtype(x, "float32"), x), case["name"]


def main():
    torch.set_num_threads(1)  # reductions run in one fixed order
    cases = issue_cases() + spread_cases()
    check(cases)
    document = {
        "format": "cross-entropy-reference/1",
        "generator": GENERATOR,
        "torch": torch.__version__,
        "dtype": "float64",
        "seed": SEED,
        "encoding": NAN_ENCODING,
        "cases": cases,
    }
    size = write_document(os.path.join(OUT_DIR, "flat-spread.json"), document)
    print(f"wrote data/reference/flat-spread.json: {len(cases)} cases, {size} bytes")


if __name__ == "__main__":
    main()
