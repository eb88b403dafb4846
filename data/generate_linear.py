"""Generate the reference data for linearCrossEntropy from PyTorch 2.13's
torch.nn.functional.linear_cross_entropy, on both of its paths:

  the reference path  options=None: cross_entropy(linear(input, W, b), target), autograd;
  the chunked path    options=torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2): the
                      batch in chunks of two rows, the (N, C) logits never materialised,
                      the gradients computed inside forward.

Writes data/reference/linear-cross-entropy.json (format "linear-cross-entropy-reference/1").
Each case holds the input, linearWeight, linearBias, target and options (JavaScript spelling),
and for each dtype it was run in ("float64", "float32": the same numbers, exact in float32):
the reference path's loss and gradients with respect to input, linearWeight and linearBias,
and the chunked path's, or null where the chunked path does not take the case (label smoothing,
probability targets, unbatched input: PyTorch warns and falls back to the reference path).
"chunkedDifference" records, per dtype, the largest |chunked - reference| of the loss and of
each gradient: the chunked path is not bit-identical to the reference (in float32), and where
every target is ignored its gradients are NaN where the reference path's are 0.

Needs PyTorch 2.13 (the first with linear_cross_entropy); the Debian python has 1.13, so run
it with the project's venv (npm run reference does):

  .venv/bin/python data/generate_linear.py

Deterministic: one thread, MKL in its conditional-numerical-reproducibility mode and ATen's
default (non-AVX) kernels, set below before torch is imported, so that the same numbers come
out on any x86 CPU; every random number comes from a generator seeded from SEED and the
section's name. Running it twice gives a byte-identical file.
"""

import json
import math
import os
import zlib

# Before torch loads: the same summation order on every CPU, not the fastest on this one.
os.environ["MKL_CBWR"] = "COMPATIBLE"
os.environ["ATEN_CPU_CAPABILITY"] = "default"
os.environ["OMP_NUM_THREADS"] = "1"

import warnings  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# As data/generate_reference.py, whose helpers are repeated here because that script needs
# numpy, which the venv's PyTorch does not bring.
SEED = 20250521
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference")
NAN_ENCODING = ('NaN, Infinity and -Infinity are written as the strings '
                '"NaN", "Infinity", "-Infinity"')


def rng(section):
    """A generator private to one section: its data does not depend on other sections."""
    return torch.Generator().manual_seed(SEED + zlib.crc32(section.encode()))


def encode_all(value):
    """NaN and infinities as strings, through lists and dicts: JSON has neither."""
    if isinstance(value, dict):
        return {key: encode_all(v) for key, v in value.items()}
    if isinstance(value, list):
        return [encode_all(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def compact(value):
    return json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=True)


def write_document(path, document):
    """One top-level key per line, and one case per line: stable and diff-friendly."""
    lines = []
    for key, value in document.items():
        if key == "cases":
            body = ",\n".join("    " + compact(case) for case in value)
            lines.append(f'  "cases": [\n{body}\n  ]')
        else:
            lines.append(f"  {compact(key)}: {compact(value)}")
    text = "{\n" + ",\n".join(lines) + "\n}\n"
    json.loads(text)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return len(text.encode())


GENERATOR = "data/generate_linear.py"
FORMAT = "linear-cross-entropy-reference/1"
REDUCTIONS = ("mean", "sum", "none")
DTYPES = {"float64": torch.float64, "float32": torch.float32}


def run(x, W, b, target, kwargs, dtype, chunked):
    """One call on one path in one dtype; None when the chunked path declines the case."""
    x = x.to(dtype).clone().requires_grad_(True)
    W = W.to(dtype).clone().requires_grad_(True)
    b = None if b is None else b.to(dtype).clone().requires_grad_(True)
    target = target.to(dtype) if target.is_floating_point() else target
    # Two rows per chunk, so that even these small batches really are split into chunks.
    options = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2) if chunked else None
    weight = kwargs.get("weight")
    call = dict(kwargs, weight=None if weight is None else weight.to(dtype))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = F.linear_cross_entropy(x, W, target, linear_bias=b, options=options, **call)
    if chunked and any("options`` ignored" in str(w.message) for w in caught):
        return None
    loss.sum().backward()
    return {
        "loss": loss.detach().tolist(),
        "gradInput": x.grad.tolist(),
        "gradLinearWeight": W.grad.tolist(),
        "gradLinearBias": None if b is None else b.grad.tolist(),
    }


def largest_difference(a, b):
    if a is None:
        return None
    return max(torch.tensor(a).sub(torch.tensor(b)).abs().max().item(), 0.0)


def make_case(name, x, W, b, target, reduction, weight=None, ignore_index=None, label_smoothing=None):
    """The case in both dtypes on both paths. x, W, b, weight: float64 holding float32 numbers."""
    kwargs = {"reduction": reduction}
    options = {}
    if weight is not None:
        kwargs["weight"] = weight
        options["weight"] = weight.tolist()
    if ignore_index is not None:
        kwargs["ignore_index"] = ignore_index
        options["ignoreIndex"] = ignore_index
    options["reduction"] = reduction
    if label_smoothing is not None:
        kwargs["label_smoothing"] = label_smoothing
        options["labelSmoothing"] = label_smoothing
    case = {
        "name": name,
        "input": x.tolist(),
        "linearWeight": W.tolist(),
        "linearBias": None if b is None else b.tolist(),
        "targetKind": "probabilities" if target.is_floating_point() else "index",
        "target": target.tolist(),
        "options": options,
    }
    for label, dtype in DTYPES.items():
        reference = run(x, W, b, target, kwargs, dtype, chunked=False)
        chunked = run(x, W, b, target, kwargs, dtype, chunked=True)
        case[label] = {"reference": reference, "chunked": chunked}
        case[label]["chunkedDifference"] = None if chunked is None else {
            key: largest_difference(chunked[key], reference[key]) for key in reference if reference[key] is not None
        }
    return encode_all(case)


def float32_numbers(t):
    """Exact float32 numbers, held in float64: both dtypes compute on the same inputs."""
    return t.to(torch.float32).to(torch.float64)


def head(section, N, D, C, scale=1.0, bias=True):
    gen = rng(section)
    x = float32_numbers(torch.randn((N, D), generator=gen, dtype=torch.float64))
    W = float32_numbers(scale * torch.randn((C, D), generator=gen, dtype=torch.float64) / D ** 0.5)
    b = float32_numbers(torch.randn((C,), generator=gen, dtype=torch.float64)) if bias else None
    y = torch.randint(0, C, (N,), generator=gen, dtype=torch.int64)
    w = float32_numbers(torch.rand((C,), generator=gen, dtype=torch.float64) + 0.5)
    return gen, x, W, b, y, w


def all_cases():
    cases = []
    # (label, N, D, C, scale, bias, weight, ignore, smoothing)
    combos = [
        ("plain", 5, 4, 7, 1.0, False, False, False, None),
        ("bias", 5, 4, 7, 1.0, True, False, False, None),
        ("weight", 6, 3, 5, 1.0, True, True, False, None),
        ("ignore", 6, 5, 6, 1.0, True, False, True, None),
        ("smoothing", 4, 4, 9, 1.0, True, False, False, 0.1),
        ("weight+ignore+smoothing", 6, 3, 8, 1.0, True, True, True, 0.2),
        ("wide", 5, 6, 11, 30.0, True, False, False, None),
        ("vocabulary", 8, 16, 64, 3.0, True, False, True, None),
    ]
    for label, N, D, C, scale, bias, weighted, ignored, smoothing in combos:
        _, x, W, b, y, w = head(f"linear/{label}", N, D, C, scale, bias)
        if ignored:
            y = y.clone()
            y[1] = -100
            y[N - 1] = -100
        for r in REDUCTIONS:
            cases.append(make_case(f"{label}/{r}", x, W, b, y, r, w if weighted else None,
                                   -100 if ignored else None, smoothing))
    _, x, W, b, y, _ = head("linear/custom-ignore", 5, 3, 4)
    y = y.clone()
    y[2] = 3
    cases.append(make_case("custom-ignore/mean", x, W, b, y, "mean", ignore_index=3))
    _, x, W, b, y, _ = head("linear/all-ignored", 3, 2, 4)
    cases.append(make_case("all-ignored/mean", x, W, b, torch.full((3,), -100), "mean"))
    gen, x, W, b, _, w = head("linear/probabilities", 4, 3, 5)
    p = torch.softmax(torch.randn((4, 5), generator=gen, dtype=torch.float64), 1)
    for r in REDUCTIONS:
        cases.append(make_case(f"probabilities/{r}", x, W, b, p, r))
    cases.append(make_case("probabilities+weight+smoothing/mean", x, W, b, p, "mean", w, None, 0.15))
    _, x, W, b, y, _ = head("linear/unbatched", 1, 4, 6)
    for r in REDUCTIONS:
        cases.append(make_case(f"unbatched/{r}", x[0], W, b, y[0], r))
    return cases


def main():
    torch.set_num_threads(1)
    cases = all_cases()
    declined = sum(1 for case in cases if case["float64"]["chunked"] is None)
    document = {
        "format": FORMAT,
        "generator": GENERATOR,
        "torch": torch.__version__,
        "dtypes": list(DTYPES),
        "seed": SEED,
        "encoding": NAN_ENCODING,
        "cases": cases,
    }
    size = write_document(os.path.join(OUT_DIR, "linear-cross-entropy.json"), document)
    print(f"wrote data/reference/linear-cross-entropy.json: {len(cases)} cases "
          f"({declined} the chunked path declines), {size} bytes")


if __name__ == "__main__":
    main()
