"""Generate the reference data the TypeScript cross-entropy tests compare against.

Writes two files, both computed by the real PyTorch on this machine:

  data/reference/cross-entropy.json  500 cases of F.cross_entropy in float64: logits,
                                     target, options, loss, autograd gradient, softmax and
                                     log-softmax (format "cross-entropy-reference/1").
  data/reference/blog-example.json   the seed blog post's example (np.random.seed(42),
                                     3x4 logits) with the blog's numpy loss and PyTorch's
                                     float32 and float64 losses (format "blog-example/1").

Run from the repository root with the Debian python that has torch 1.13:

  /usr/bin/python3 data/generate_reference.py      # or: npm run reference

The output is deterministic: running it twice gives byte-identical files. Every random
number comes from a generator seeded from SEED and the name of the section that uses it,
so adding a section does not change the data of the others.

JSON cannot hold NaN or infinities, so every non-finite float is written as one of the
strings "NaN", "Infinity", "-Infinity". Other floats are written with Python's repr, which
round-trips exactly through JavaScript's JSON.parse.

Before writing, the script asserts that the surprises documented in
the PyTorch semantics notes the project is built from really occur in the data, and that the
page's loss and gradient formulas reproduce PyTorch on every case with finite logits.
"""

import json
import math
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20250521  # the blog post's date
REDUCTIONS = ("mean", "sum", "none")
ROOT = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(ROOT, "reference")
GENERATOR = "data/generate_reference.py"
NAN_ENCODING = ('NaN, Infinity and -Infinity are written as the strings '
                '"NaN", "Infinity", "-Infinity"')
INF = math.inf
NAN = math.nan


# ---------------------------------------------------------------------------------------
# Random inputs
# ---------------------------------------------------------------------------------------

def rng(section):
    """A generator private to one section: its data does not depend on other sections."""
    return torch.Generator().manual_seed(SEED + zlib.crc32(section.encode()))


def random_logits(gen, shape, scale):
    """Logits at one of three scales: unit normal, wide normal, or small integers (ties)."""
    if scale == "randn":
        return torch.randn(shape, generator=gen, dtype=torch.float64)
    if scale == "10randn":
        return 10 * torch.randn(shape, generator=gen, dtype=torch.float64)
    if scale == "ints":
        return torch.randint(-3, 4, shape, generator=gen).to(torch.float64)
    raise ValueError(scale)


SCALES = ("randn", "10randn", "ints")


def random_targets(gen, shape, num_classes):
    return torch.randint(0, num_classes, shape, generator=gen, dtype=torch.int64)


def with_ignored(gen, targets, ignore_index):
    """Copy of targets with about a third of the positions (at least one) set to
    ignore_index, so the ignore path is really exercised."""
    out = targets.clone().reshape(-1)
    count = max(1, out.numel() // 3)
    positions = torch.randperm(out.numel(), generator=gen)[:count]
    out[positions] = ignore_index
    return out.reshape(targets.shape)


def random_weights(gen, num_classes, zero_classes=()):
    """Non-integer class weights, rounded to 2 decimals to stay readable."""
    raw = 0.1 + 2.9 * torch.rand(num_classes, generator=gen, dtype=torch.float64)
    weights = [round(float(v), 2) for v in raw]
    for c in zero_classes:
        weights[c] = 0.0
    return weights


def soft_targets(gen, shape, class_dim=1):
    """Probability rows: softmax of random numbers, so each row sums to 1 (up to rounding)."""
    return torch.softmax(torch.randn(shape, generator=gen, dtype=torch.float64), class_dim)


# ---------------------------------------------------------------------------------------
# Running PyTorch on one case
# ---------------------------------------------------------------------------------------

def encode(value):
    """Replace non-finite floats by strings, recursively (JSON has no NaN/Infinity)."""
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value


def make_case(name, group, logits, target, reduction, weight=None, ignore_index=None,
              label_smoothing=None):
    """Run F.cross_entropy in float64 and record everything a test may compare.

    The options dict uses the JavaScript spelling and only holds what the case passes,
    so a test can forward it unchanged to the TypeScript function."""
    x = logits.to(torch.float64).clone().requires_grad_(True)
    kind = "probabilities" if target.is_floating_point() else "index"
    kwargs = {"reduction": reduction}
    options = {}
    if weight is not None:
        kwargs["weight"] = torch.tensor(weight, dtype=torch.float64)
        options["weight"] = list(weight)
    if ignore_index is not None:
        kwargs["ignore_index"] = ignore_index
        options["ignoreIndex"] = ignore_index
    options["reduction"] = reduction
    if label_smoothing is not None:
        kwargs["label_smoothing"] = label_smoothing
        options["labelSmoothing"] = label_smoothing

    loss = F.cross_entropy(x, target, **kwargs)
    # For 'none' this is the gradient of loss.sum(), i.e. an upstream gradient of ones.
    loss.sum().backward()

    class_dim = 0 if x.dim() == 1 else 1
    detached = x.detach()
    return {
        "name": name,
        "group": group,
        "logitsShape": list(x.shape),
        "logits": encode(detached.tolist()),
        "targetKind": kind,
        "target": encode(target.tolist()),
        "options": options,
        "loss": encode(loss.detach().tolist()),
        "grad": encode(x.grad.tolist()),
        "softmax": encode(torch.softmax(detached, class_dim).tolist()),
        "logSoftmax": encode(torch.log_softmax(detached, class_dim).tolist()),
    }


def option_cases(prefix, group, logits, target, weight=None, ignore_index=None,
                 label_smoothing=None):
    """The same input under every reduction."""
    return [make_case(f"{prefix}/{r}", group, logits, target, r, weight, ignore_index,
                      label_smoothing) for r in REDUCTIONS]


# ---------------------------------------------------------------------------------------
# Sections of the reference data
# ---------------------------------------------------------------------------------------

# Option combinations for index targets: (label, uses weight, uses ignore, uses smoothing).
COMBOS = [
    ("plain", False, False, False),
    ("weight", True, False, False),
    ("ignore", False, True, False),
    ("smoothing", False, False, True),
    ("weight+ignore", True, True, False),
    ("weight+smoothing", True, False, True),
    ("ignore+smoothing", False, True, True),
    ("weight+ignore+smoothing", True, True, True),
]
COMBO_GROUP = {"plain": "basic", "weight": "weights", "ignore": "ignoreIndex",
               "smoothing": "labelSmoothing"}  # every other combination is "combined"

# (N, C) shapes of the grid, each with the ignore_index, the classes given weight 0 and
# the smoothing it uses. ignore_index covers the default, a real class (0 and 2: that
# class stays in every softmax denominator), 255 and -1.
GRID_SHAPES = [
    ((1, 1), -100, (), 0.1),
    ((3, 1), -100, (), 0.25),
    ((1, 4), 255, (), 1.0),
    ((4, 3), 0, (1,), 0.1),
    ((6, 5), -1, (), 0.25),
    ((10, 7), 2, (3, 5), 1.0),
]


def grid_cases():
    """Every reduction x every option combination, for several (N, C) incl. N = 1, C = 1."""
    cases = []
    for i, ((n, c), ignore_index, zero_classes, smoothing) in enumerate(GRID_SHAPES):
        gen = rng(f"grid/{n}x{c}")
        logits = random_logits(gen, (n, c), SCALES[i % len(SCALES)])
        targets = random_targets(gen, (n,), c)
        if zero_classes:  # make sure a zero-weight class is really some row's target
            targets[0] = zero_classes[0]
        ignored = with_ignored(gen, targets, ignore_index)
        weight = random_weights(gen, c, zero_classes)
        for label, use_w, use_ii, use_e in COMBOS:
            group = "oneClass" if c == 1 else COMBO_GROUP.get(label, "combined")
            cases += option_cases(
                f"index/{label}/{n}x{c}", group, logits,
                ignored if use_ii else targets,
                weight=weight if use_w else None,
                ignore_index=ignore_index if use_ii else None,
                label_smoothing=smoothing if use_e else None)
    return cases


def weight_cases():
    gen = rng("weights")
    cases = []
    logits = random_logits(gen, (5, 4), "randn")
    # Classes 0 and 2 weigh nothing: their rows vanish from the sum and from D.
    cases += option_cases("weights/zero-weight-classes", "weights", logits,
                          torch.tensor([0, 1, 2, 3, 1]), weight=[0.0, 1.5, 0.0, 2.25])
    # Every target has weight 0, nothing is ignored: D = 0, so 'mean' is NaN.
    for e in (None, 0.2):
        suffix = "" if e is None else "+smoothing"
        cases += option_cases(f"weights/all-targets-zero-weight{suffix}", "weights", logits,
                              torch.tensor([0, 2, 0, 2, 2]), weight=[0.0, 1.5, 0.0, 2.25],
                              label_smoothing=e)
    # Batch size 1: the weight cancels out of the weighted mean.
    one = random_logits(gen, (1, 5), "10randn")
    cases += option_cases("weights/batch-of-one", "weights", one, torch.tensor([3]),
                          weight=[0.5, 1.0, 1.5, 2.75, 0.3])
    cases += option_cases("weights/batch-of-one/unweighted", "weights", one,
                          torch.tensor([3]))
    # Negative weights are accepted.
    cases += option_cases("weights/negative", "weights", random_logits(gen, (4, 3), "randn"),
                          torch.tensor([0, 1, 2, 1]), weight=[1.0, -0.5, 2.0])
    return cases


def ignore_cases():
    gen = rng("ignoreIndex")
    cases = []
    logits = random_logits(gen, (6, 4), "randn")
    base = torch.tensor([1, 3, 0, 2, 1, 3])
    # The ignore value sits in the targets; 0 and 2 are real classes, 255, 7 and -1 are not.
    for ignore_index in (-100, 0, 2, 255, 7, -1):
        targets = base.clone()
        targets[[1, 4]] = ignore_index
        cases += option_cases(f"ignoreIndex/{ignore_index}", "ignoreIndex", logits, targets,
                              ignore_index=ignore_index)
    # ignore_index given but equal to no target: the same as not passing it.
    cases += option_cases("ignoreIndex/absent-from-targets", "ignoreIndex", logits, base,
                          ignore_index=9)
    # Every target ignored: 'mean' NaN, 'sum' 0, 'none' zeros, gradient zeros.
    small = random_logits(gen, (3, 4), "10randn")
    all_ignored = torch.tensor([-100, -100, -100])
    for label, weight, e in (("plain", None, None), ("weight", [1.0, 2.5, 0.5, 1.25], None),
                             ("smoothing", None, 0.1),
                             ("weight+smoothing", [1.0, 2.5, 0.5, 1.25], 0.25)):
        cases += option_cases(f"ignoreIndex/all-ignored/{label}", "ignoreIndex", small,
                              all_ignored, weight=weight, label_smoothing=e)
    # All ignored through a real class index.
    cases += option_cases("ignoreIndex/all-ignored/real-class", "ignoreIndex", small,
                          torch.tensor([1, 1, 1]), ignore_index=1)
    return cases


def smoothing_cases():
    gen = rng("labelSmoothing")
    cases = []
    logits = random_logits(gen, (4, 5), "randn")
    targets = torch.tensor([0, 4, 2, 2])
    for e in (0.0, 0.1, 0.25, 0.5, 1.0):
        cases += option_cases(f"labelSmoothing/{e}", "labelSmoothing", logits, targets,
                              label_smoothing=e)
    # With smoothing 1.0 the target is uniform: other target indices give the same loss.
    cases += option_cases("labelSmoothing/1.0/other-targets", "labelSmoothing", logits,
                          torch.tensor([1, 1, 3, 0]), label_smoothing=1.0)
    two = random_logits(gen, (3, 2), "10randn")
    cases += option_cases("labelSmoothing/0.1/2-classes", "labelSmoothing", two,
                          torch.tensor([0, 1, 1]), label_smoothing=0.1)
    return cases


def probability_cases():
    gen = rng("probabilities")
    cases = []
    n, c = 4, 5
    logits = random_logits(gen, (n, c), "randn")
    onehot_index = torch.tensor([2, 0, 4, 1])
    targets = {
        "soft": soft_targets(gen, (n, c)),
        "onehot": F.one_hot(onehot_index, c).to(torch.float64),
        # Not validated by PyTorch: rows need not sum to 1.
        "unnormalized": torch.round(2 * torch.rand((n, c), generator=gen,
                                                   dtype=torch.float64) * 100) / 100,
        # A row of zeros contributes nothing; mixed with soft rows.
        "zero-row": torch.cat([soft_targets(gen, (n - 1, c)),
                               torch.zeros((1, c), dtype=torch.float64)]),
    }
    weight = [0.5, 2.0, 1.0, 0.0, 1.75]
    option_sets = [("plain", None, None, None), ("weight", weight, None, None),
                   ("smoothing", None, None, 0.1), ("weight+smoothing", weight, None, 0.25),
                   ("ignore-1", None, -1, None)]
    for tname, target in targets.items():
        for label, w, ii, e in option_sets:
            cases += option_cases(f"probabilities/{tname}/{label}", "probabilities", logits,
                                  target, weight=w, ignore_index=ii, label_smoothing=e)
    # Default ignore_index given explicitly, with weight and smoothing.
    cases += option_cases("probabilities/soft/weight+ignore-100+smoothing", "probabilities",
                          logits, targets["soft"], weight=weight, ignore_index=-100,
                          label_smoothing=1.0)
    # The same one-hot targets as indices: they agree with the one-hot probabilities
    # except for the weighted 'mean' (different denominators).
    cases += option_cases("probabilities/onehot-as-index/weight", "probabilities", logits,
                          onehot_index, weight=weight)
    # One class: log_softmax is 0, so every loss is 0 whatever the target.
    cases += option_cases("probabilities/one-class", "oneClass",
                          random_logits(gen, (3, 1), "10randn"),
                          torch.tensor([[1.0], [0.5], [0.0]], dtype=torch.float64))
    return cases


def unbatched_cases():
    gen = rng("unbatched")
    cases = []
    c = 5
    logits = random_logits(gen, (c,), "randn")
    target = torch.tensor(3)  # a 0-d target, stored as a plain int
    weight = [1.0, 0.25, 2.0, 1.5, 0.75]
    for label, w, ii, e in (("plain", None, None, None), ("weight", weight, None, None),
                            ("ignore-hit", None, 3, None), ("ignore-miss", None, 1, None),
                            ("smoothing", None, None, 0.1),
                            ("weight+smoothing", weight, None, 0.25)):
        cases += option_cases(f"unbatched/index/{label}", "unbatched", logits, target,
                              weight=w, ignore_index=ii, label_smoothing=e)
    prob = soft_targets(gen, (c,), class_dim=0)
    for label, w, e in (("plain", None, None), ("weight", weight, None),
                        ("smoothing", None, 0.1), ("weight+smoothing", weight, 0.25)):
        cases += option_cases(f"unbatched/probabilities/{label}", "unbatched", logits, prob,
                              weight=w, label_smoothing=e)
    return cases


KDIM_SHAPES = [(2, 3, 4), (2, 3, 2, 3), (2, 3, 2, 2, 2)]


def kdim_cases():
    cases = []
    for i, shape in enumerate(KDIM_SHAPES):
        label_shape = "x".join(map(str, shape))
        gen = rng(f"kdim/{label_shape}")
        n, c, spatial = shape[0], shape[1], shape[2:]
        logits = random_logits(gen, shape, SCALES[i % len(SCALES)])
        targets = random_targets(gen, (n,) + spatial, c)
        ignored = with_ignored(gen, targets, -100)
        weight = random_weights(gen, c)
        for label, t, w, ii, e in (("plain", targets, None, None, None),
                                   ("weight+ignore", ignored, weight, -100, None),
                                   ("smoothing", targets, None, None, 0.1),
                                   ("weight+ignore+smoothing", ignored, weight, -100, 0.25)):
            cases += option_cases(f"kdim/index/{label}/{label_shape}", "kdim", logits, t,
                                  weight=w, ignore_index=ii, label_smoothing=e)
        prob = soft_targets(gen, shape)
        for label, w, e in (("plain", None, None), ("weight+smoothing", weight, 0.1)):
            cases += option_cases(f"kdim/probabilities/{label}/{label_shape}", "kdim", logits,
                                  prob, weight=w, label_smoothing=e)
    return cases


# Rows that stress the numerics, each with its index target(s).
EXTREME_ROWS = [
    ("plus-minus-1000", [[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0]], [0, 1]),
    ("1e4", [[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], [0, 2]),
    ("1000-1001-1002", [[1000.0, 1001.0, 1002.0], [1000.0, 1001.0, 1002.0]], [0, 2]),
    ("confident-correct", [[20.0, 0.0]], [0]),
    ("confident-wrong", [[0.0, 40.0]], [0]),
    ("minus-inf-on-target", [[-INF, 0.0, 1.0]], [0]),
    ("minus-inf-elsewhere", [[0.0, -INF, 1.0]], [0]),
    ("all-minus-inf", [[-INF, -INF, -INF]], [0]),
    ("all-minus-inf-beside-finite-row", [[0.0, 1.0, 2.0], [-INF, -INF, -INF]], [0, 1]),
    ("plus-inf-on-target", [[INF, 0.0, 1.0]], [0]),
    ("plus-inf-elsewhere", [[0.0, INF, 1.0]], [0]),
    ("nan", [[NAN, 0.0, 1.0]], [1]),
    ("ignored-row-with-nan", [[0.0, 1.0, 2.0], [NAN, 0.0, 1.0]], [0, -100]),
    ("ignored-row-with-minus-inf", [[0.0, 1.0, 2.0], [-INF, -INF, 1.0]], [0, -100]),
]


def extreme_cases():
    cases = []
    for label, rows, targets in EXTREME_ROWS:
        logits = torch.tensor(rows, dtype=torch.float64)
        target = torch.tensor(targets)
        for e in (None, 0.1):
            suffix = "" if e is None else "/smoothing"
            cases += option_cases(f"extreme/{label}{suffix}", "extreme", logits, target,
                                  label_smoothing=e)
    # Probability targets against a -inf logit: where the target is 0 the product is
    # 0 * -inf; where it is positive the loss is +inf.
    logits = torch.tensor([[0.0, -INF, 1.0]], dtype=torch.float64)
    for tlabel, t in (("zero-at-minus-inf", [[0.5, 0.0, 0.5]]),
                      ("positive-at-minus-inf", [[0.2, 0.3, 0.5]])):
        target = torch.tensor(t, dtype=torch.float64)
        for e in (None, 0.1):
            suffix = "" if e is None else "/smoothing"
            cases += option_cases(f"extreme/probabilities/{tlabel}{suffix}", "extreme",
                                  logits, target, label_smoothing=e)
    return cases


def empty_cases():
    gen = rng("empty")
    cases = []
    c = 4
    logits = torch.zeros((0, c), dtype=torch.float64)
    no_targets = torch.zeros((0,), dtype=torch.int64)
    weight = [1.0, 2.0, 0.5, 1.5]
    for label, w, ii, e in (("plain", None, None, None), ("weight", weight, None, None),
                            ("ignore", None, -100, None), ("smoothing", None, None, 0.1),
                            ("weight+ignore+smoothing", weight, -100, 0.1)):
        cases += option_cases(f"empty/index/{label}", "empty", logits, no_targets,
                              weight=w, ignore_index=ii, label_smoothing=e)
    no_probs = torch.zeros((0, c), dtype=torch.float64)
    for label, w, e in (("plain", None, None), ("weight+smoothing", weight, 0.1)):
        cases += option_cases(f"empty/probabilities/{label}", "empty", logits, no_probs,
                              weight=w, label_smoothing=e)
    # A zero-sized spatial dimension: (N, C, 0).
    spatial = random_logits(gen, (2, 3, 0), "randn")
    cases += option_cases("empty/kdim/index", "empty", spatial,
                          torch.zeros((2, 0), dtype=torch.int64))
    cases += option_cases("empty/kdim/probabilities", "empty", spatial,
                          torch.zeros((2, 3, 0), dtype=torch.float64))
    return cases


def large_cases():
    cases = []
    gen = rng("large/64x10")
    logits = random_logits(gen, (64, 10), "randn")
    targets = random_targets(gen, (64,), 10)
    for r in REDUCTIONS:
        cases.append(make_case(f"large/index/plain/64x10/{r}", "large", logits, targets, r))
    gen = rng("large/16x100")
    logits = random_logits(gen, (16, 100), "10randn")
    targets = with_ignored(gen, random_targets(gen, (16,), 100), -100)
    weight = random_weights(gen, 100)
    cases.append(make_case("large/index/weight+ignore+smoothing/16x100/mean", "large", logits,
                           targets, "mean", weight=weight, ignore_index=-100,
                           label_smoothing=0.1))
    cases.append(make_case("large/probabilities/plain/16x100/mean", "large", logits,
                           soft_targets(gen, (16, 100)), "mean"))
    return cases


def all_cases():
    return (grid_cases() + weight_cases() + ignore_cases() + smoothing_cases()
            + probability_cases() + unbatched_cases() + kdim_cases() + extreme_cases()
            + empty_cases() + large_cases())


# ---------------------------------------------------------------------------------------
# Checks: the reference page's claims against the data
# ---------------------------------------------------------------------------------------

def decode(value):
    """Inverse of encode: the strings back to NaN and infinities, recursively."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    return {"NaN": NAN, "Infinity": INF, "-Infinity": -INF}.get(value, value)


def page_formula(case):
    """Loss and gradient by the formulas of the reference page, in numpy.

    Independent of PyTorch: if this agrees with PyTorch on every finite case, the page's
    formulas (denominators, smoothing, weights, probability targets) are right."""
    shape = case["logitsShape"]
    x = np.array(decode(case["logits"]), dtype=np.float64).reshape(shape)
    options = case["options"]
    reduction = options["reduction"]
    ii = options.get("ignoreIndex", -100)
    e = options.get("labelSmoothing", 0.0)
    unbatched = len(shape) == 1
    c = shape[0] if unbatched else shape[1]
    w = np.array(options.get("weight", [1.0] * c), dtype=np.float64)
    # Flatten every spatial position into the batch: (M, C).
    xm = x.reshape(1, c) if unbatched else np.moveaxis(x, 1, -1).reshape(-1, c)
    m = xm.shape[0]
    if m:
        shifted = xm - xm.max(axis=1, keepdims=True)
        logsm = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    else:
        logsm = xm
    p = np.exp(logsm)
    rows = np.arange(m)
    if case["targetKind"] == "index":
        y = np.array(case["target"], dtype=np.int64).reshape(-1)
        keep = y != ii
        yk = np.where(keep, y, 0)
        wy = np.where(keep, w[yk], 0.0)
        nll = -wy * logsm[rows, yk]
        smooth = np.where(keep, -(logsm * w).sum(axis=1), 0.0)
        per = (1 - e) * nll + (e / c) * smooth
        onehot = np.eye(c)[yk]
        grad = ((1 - e) * wy[:, None] * (p - onehot)
                + (e / c) * (w.sum() * p - w) * keep[:, None])
        denominator = wy.sum()
        batch_shape = np.shape(case["target"])
    else:
        t = np.array(case["target"], dtype=np.float64).reshape(shape)
        tm = t.reshape(1, c) if unbatched else np.moveaxis(t, 1, -1).reshape(-1, c)
        tp = (1 - e) * tm + e / c if e > 0 else tm
        per = -(w * tp * logsm).sum(axis=1)
        grad = p * (w * tp).sum(axis=1, keepdims=True) - w * tp
        denominator = float(m)
        batch_shape = () if unbatched else (shape[0],) + tuple(shape[2:])
    with np.errstate(divide="ignore", invalid="ignore"):
        if reduction == "mean":
            # The page: D = 0 gives a NaN 'mean' and a zero gradient.
            if denominator == 0:
                loss, grad = NAN, np.zeros_like(grad)
            else:
                loss, grad = per.sum() / denominator, grad / denominator
        elif reduction == "sum":
            loss = per.sum()
        else:
            loss = per.reshape(batch_shape)
    if unbatched:
        grad = grad.reshape(c)
    else:
        spatial_first = (shape[0],) + tuple(shape[2:]) + (c,)
        grad = np.moveaxis(grad.reshape(spatial_first), -1, 1)
    return loss, grad


def close(a, b, rtol=1e-9, atol=1e-12):
    return np.allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                       rtol=rtol, atol=atol, equal_nan=True)


def arr(value):
    return np.array(decode(value), dtype=np.float64)


def check_formulas(cases):
    """The page's formulas reproduce PyTorch on every case with finite logits, except
    where D = 0 with weights (see check_surprises)."""
    for case in cases:
        x = arr(case["logits"])
        if not np.all(np.isfinite(x)):
            continue
        loss, grad = page_formula(case)
        assert close(loss, arr(case["loss"])), case["name"]
        zero_d_from_weights = (case["name"].startswith("weights/all-targets-zero-weight")
                               and case["options"]["reduction"] == "mean")
        if not zero_d_from_weights:
            expected = arr(case["grad"]).reshape(case["logitsShape"])  # [] loses (0, C)
            assert close(grad, expected), case["name"]


def check_surprises(cases):
    """Each surprise the reference page documents really happens in the data."""
    by_name = {case["name"]: case for case in cases}

    def loss(name):
        return arr(by_name[name]["loss"])

    def grad(name):
        return arr(by_name[name]["grad"])

    # Weighted 'mean' divides by the sum of the targets' weights, not by N.
    for shape in ("4x3", "6x5", "10x7"):
        weighted = loss(f"index/weight/{shape}/mean")
        assert not close(weighted, loss(f"index/weight/{shape}/none").mean()), shape
    # ... and at batch size 1 the weight cancels.
    assert close(loss("weights/batch-of-one/mean"), loss("weights/batch-of-one/unweighted/mean"))
    assert not close(loss("weights/batch-of-one/sum"),
                     loss("weights/batch-of-one/unweighted/sum"))

    # Every target ignored: mean NaN, sum 0, none zeros, gradient zeros.
    for label in ("plain", "weight", "smoothing", "weight+smoothing", "real-class"):
        prefix = f"ignoreIndex/all-ignored/{label}"
        assert math.isnan(loss(prefix + "/mean")), prefix
        assert loss(prefix + "/sum") == 0, prefix
        assert np.all(loss(prefix + "/none") == 0), prefix
        for r in REDUCTIONS:
            assert np.all(grad(f"{prefix}/{r}") == 0), prefix
    # Empty batch: mean NaN, sum 0.
    for name in ("empty/index/plain", "empty/probabilities/plain", "empty/kdim/index"):
        assert math.isnan(loss(name + "/mean")) and loss(name + "/sum") == 0, name

    # The ignored class 0 still sits in the softmax denominator of the other rows.
    case = by_name["ignoreIndex/0/none"]
    x, target = arr(case["logits"]), case["target"]
    for row, y in enumerate(target):
        if y != 0:
            full = -(x[row, y] - np.log(np.exp(x[row]).sum()))
            without_0 = -(x[row, y] - np.log(np.exp(x[row, 1:]).sum()))
            assert close(loss("ignoreIndex/0/none")[row], full)
            assert not close(full, without_0)

    # One-hot probabilities and index targets agree, except for the weighted 'mean'.
    for r in ("sum", "none"):
        assert close(loss(f"probabilities/onehot/weight/{r}"),
                     loss(f"probabilities/onehot-as-index/weight/{r}"))
    assert not close(loss("probabilities/onehot/weight/mean"),
                     loss("probabilities/onehot-as-index/weight/mean"))
    # Probability targets: 'mean' is sum / N, weights are not in the denominator.
    assert close(loss("probabilities/soft/weight/mean"), loss("probabilities/soft/weight/sum") / 4)

    # Weights change label smoothing: the smoothing term -sum_c w[c] l[n, c] is weighted
    # too, so it is not (1-e) * weighted nll + e/C * unweighted smoothing term.
    case = by_name["index/weight+smoothing/6x5/sum"]
    e, w = case["options"]["labelSmoothing"], np.array(case["options"]["weight"])
    logsm = arr(case["logSoftmax"])
    unweighted_smoothing = ((1 - e) * loss("index/weight/6x5/sum")
                            + (e / 5) * -logsm.sum())
    assert not close(loss(case["name"]), unweighted_smoothing)
    assert close(loss(case["name"]), (1 - e) * loss("index/weight/6x5/sum")
                 + (e / 5) * -(logsm * w).sum())
    # Smoothing 1.0 makes the target uniform: the index no longer matters.
    assert close(loss("labelSmoothing/1.0/mean"), loss("labelSmoothing/1.0/other-targets/mean"))
    # Smoothing 0.0 passed explicitly is plain cross-entropy.
    assert close(loss("labelSmoothing/0.0/none"),
                 page_formula({**by_name["labelSmoothing/0.0/none"],
                               "options": {"reduction": "none"}})[0])
    # Label smoothing with ignored targets and no weights divides by the non-ignored count.
    case = by_name["index/ignore+smoothing/6x5/mean"]
    kept = sum(1 for y in case["target"] if y != -1)
    assert kept < 6
    assert close(loss("index/ignore+smoothing/6x5/mean"),
                 loss("index/ignore+smoothing/6x5/sum") / kept)

    # D = 0 from zero weights (nothing ignored): mean NaN. Unlike the all-ignored case the
    # gradient is NaN too, not zeros.
    for suffix in ("", "+smoothing"):
        name = f"weights/all-targets-zero-weight{suffix}/mean"
        assert math.isnan(loss(name)) and np.all(np.isnan(grad(name))), name

    # Numerics of the extreme rows.
    assert loss("extreme/1000-1001-1002/none")[1] < 1  # no overflow
    assert loss("extreme/minus-inf-on-target/mean") == INF
    assert np.all(np.isfinite(grad("extreme/minus-inf-on-target/mean")))
    assert np.isfinite(loss("extreme/minus-inf-elsewhere/mean"))
    assert grad("extreme/minus-inf-elsewhere/mean")[0, 1] == 0
    assert loss("extreme/minus-inf-elsewhere/smoothing/mean") == INF
    for name in ("all-minus-inf", "plus-inf-on-target", "plus-inf-elsewhere", "nan"):
        assert math.isnan(loss(f"extreme/{name}/mean")), name
    assert math.isnan(loss("extreme/all-minus-inf-beside-finite-row/mean"))
    # An ignored row does not affect the forward loss...
    assert close(loss("extreme/ignored-row-with-nan/sum"),
                 loss("extreme/ignored-row-with-nan/none")[0])
    assert np.isfinite(loss("extreme/ignored-row-with-nan/mean"))
    assert np.isfinite(loss("extreme/ignored-row-with-nan/smoothing/mean"))
    # ... but its gradient row is NaN (log_softmax backward: 0 * exp(NaN)).
    assert np.all(np.isnan(grad("extreme/ignored-row-with-nan/mean")[1]))
    assert np.all(np.isfinite(grad("extreme/ignored-row-with-nan/mean")[0]))
    # Probability target 0 at a -inf logit: 0 * -inf makes the loss NaN, the grad is finite.
    assert math.isnan(loss("extreme/probabilities/zero-at-minus-inf/mean"))
    assert np.all(np.isfinite(grad("extreme/probabilities/zero-at-minus-inf/mean")))
    assert loss("extreme/probabilities/zero-at-minus-inf/smoothing/mean") == INF
    assert loss("extreme/probabilities/positive-at-minus-inf/mean") == INF

    # K-dim inputs equal flattening every spatial position into the batch.
    case = by_name["kdim/index/weight+ignore+smoothing/2x3x2x3/sum"]
    x = torch.tensor(arr(case["logits"]))
    flat_x = x.movedim(1, -1).reshape(-1, 3)
    flat_t = torch.tensor(case["target"]).reshape(-1)
    flat = F.cross_entropy(flat_x, flat_t, weight=torch.tensor(case["options"]["weight"]),
                           reduction="sum", label_smoothing=0.25)
    assert close(flat.item(), loss(case["name"]))

    # float32 rounds a confident correct prediction to exactly 0; float64 does not.
    confident = torch.tensor([[20.0, 0.0]])
    assert F.cross_entropy(confident.float(), torch.tensor([0])).item() == 0.0
    assert loss("extreme/confident-correct/mean") > 2e-9


def check_cases(cases):
    names = [case["name"] for case in cases]
    repeated = sorted({n for n in names if names.count(n) > 1})
    assert not repeated, f"repeated case names: {repeated}"
    check_formulas(cases)
    check_surprises(cases)


# ---------------------------------------------------------------------------------------
# The blog's example
# ---------------------------------------------------------------------------------------

def blog_cross_entropy(predictions, targets, epsilon=1e-7):
    """The blog post's numpy function, same algorithm (epsilon inside the log)."""
    batch_size = predictions.shape[0]
    exp_preds = np.exp(predictions - np.max(predictions, axis=1, keepdims=True))
    softmax_preds = exp_preds / np.sum(exp_preds, axis=1, keepdims=True)
    correct_class_probs = softmax_preds[range(batch_size), targets]
    loss = -np.log(correct_class_probs + epsilon)
    return np.mean(loss)


def blog_example():
    # Exactly the blog's sequence of calls on numpy's legacy global generator.
    np.random.seed(42)
    logits = np.random.randn(3, 4)
    targets = np.random.randint(0, 4, size=3)
    assert targets.tolist() == [3, 1, 1], targets

    blog_loss = float(blog_cross_entropy(logits, targets))
    blog_loss_no_eps = float(blog_cross_entropy(logits, targets, epsilon=0.0))
    float32_logits = torch.FloatTensor(logits)
    float32_loss = torch.nn.CrossEntropyLoss()(float32_logits,
                                               torch.LongTensor(targets)).item()
    x64 = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss64 = torch.nn.CrossEntropyLoss()(x64, torch.LongTensor(targets))
    loss64.backward()

    assert blog_loss == 1.2663419166770737, blog_loss
    assert float32_loss == 1.266342282295227, float32_loss
    assert loss64.item() == 1.2663424137580979, loss64.item()

    return {
        "format": "blog-example/1",
        "generator": GENERATOR,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "seed": 42,
        "logits": logits.tolist(),
        "targets": targets.tolist(),
        "logitsFloat32": float32_logits.tolist(),
        "blogLoss": blog_loss,
        "blogLossWithoutEpsilon": blog_loss_no_eps,
        "torchFloat32Loss": float32_loss,
        "torchFloat64Loss": loss64.item(),
        "torchFloat64Grad": x64.grad.tolist(),
        "torchFloat64Softmax": torch.softmax(x64.detach(), 1).tolist(),
    }


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------

def compact(value):
    # allow_nan=False: a NaN that escaped encode() fails here instead of writing bare NaN.
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
    json.loads(text)  # the layout is valid JSON
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return len(text.encode())


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # reductions run in one fixed order
    torch.set_default_dtype(torch.float64)

    cases = all_cases()
    check_cases(cases)
    reference = {
        "format": "cross-entropy-reference/1",
        "generator": GENERATOR,
        "torch": torch.__version__,
        "dtype": "float64",
        "seed": SEED,
        "encoding": NAN_ENCODING,
        "cases": cases,
    }
    size = write_document(os.path.join(OUT_DIR, "cross-entropy.json"), reference)
    print(f"wrote data/reference/cross-entropy.json: {len(cases)} cases, {size} bytes")
    size = write_document(os.path.join(OUT_DIR, "blog-example.json"), blog_example())
    print(f"wrote data/reference/blog-example.json: {size} bytes")


if __name__ == "__main__":
    main()
