"""Record PyTorch's own test inputs for cross-entropy, and PyTorch's answers to them.

Writes data/reference/pytorch-suite.json (format "pytorch-suite/1"): every float32 and
float64 input that PyTorch's own test suite feeds to its cross-entropy and NLL losses,
deduplicated, with PyTorch's loss, its autograd gradients and PyTorch's default comparison
tolerance for the dtype. The sources, as PyTorch 2.x defines them:

  - the OpInfo sample inputs of nn.functional.cross_entropy and nn.functional.nll_loss
    (torch.testing._internal.common_methods_invocations.op_db);
  - the ModuleInfo inputs of nn.CrossEntropyLoss and nn.NLLLoss (common_modules.module_db);
  - common_nn's criterion_tests for those two modules (none are left there in 2.x: they
    moved into module_db, and the count is written down);
  - the ModuleInfo error inputs of both modules, with the error PyTorch raises.

Run from the repository root with the venv's Python, which has PyTorch 2.x (npm run
reference does this when .venv/bin/python exists):

  .venv/bin/python data/generate_pytorch_suite.py

torch.testing._internal imports `expecttest`, a test-only package that is not installed:
this script writes a two-name stand-in for it into a temporary folder and puts that folder
first on sys.path for the import only; nothing of it is shipped.

Deterministic: PyTorch's samples draw from torch's global generator, which is reseeded from
SEED before each source and dtype, on one thread; running twice gives a byte-identical file.
"""

import json
import os
import sys
import tempfile

import torch
import torch.nn.functional as F

from generate_reference import NAN_ENCODING, OUT_DIR, encode, write_document

GENERATOR = "data/generate_pytorch_suite.py"
SEED = 20250521
DTYPES = {"float32": torch.float32, "float64": torch.float64}
OPS = {"nn.functional.cross_entropy": "crossEntropy", "nn.functional.nll_loss": "nllLoss"}
MODULES = {"CrossEntropyLoss": "crossEntropy", "NLLLoss": "nllLoss"}
OPTION_NAMES = {"weight": "weight", "ignore_index": "ignoreIndex", "reduction": "reduction",
                "label_smoothing": "labelSmoothing"}
FUNCTIONS = {"crossEntropy": F.cross_entropy, "nllLoss": F.nll_loss}

EXPECTTEST_STAND_IN = '''"""A stand-in for the expecttest package, written by data/generate_pytorch_suite.py:
torch.testing._internal imports these two names; the generator runs no expect-tests."""
import unittest

ACCEPT = False


class TestCase(unittest.TestCase):
    pass
'''


def import_test_suite():
    """torch.testing._internal's sample inputs, with expecttest stood in for during the import."""
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "expecttest.py"), "w", encoding="utf-8") as handle:
            handle.write(EXPECTTEST_STAND_IN)
        sys.path.insert(0, folder)
        try:
            from torch.testing._internal import common_methods_invocations, common_modules, common_nn
        finally:
            sys.path.remove(folder)
    return common_methods_invocations.op_db, common_modules.module_db, common_nn


def dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def tolerances():
    """PyTorch's own default (rtol, atol) per dtype: what torch.testing.assert_close and the
    OpInfo/ModuleInfo tests compare with when a test sets none."""
    from torch.testing._comparison import default_tolerances
    return {name: dict(zip(("rtol", "atol"), default_tolerances(dtype))) for name, dtype in DTYPES.items()}


def options_of(kwargs, source):
    options = {}
    for key, value in kwargs.items():
        if key not in OPTION_NAMES:
            raise ValueError(f"{source}: option {key} has no counterpart in the module")
        if key == "weight":
            if value is None:
                continue
            value = value.tolist()
        options[OPTION_NAMES[key]] = value
    return options


def run_case(function, dtype, source, name, logits, target, kwargs):
    """PyTorch's answer for one input: loss, d loss / d input and, for float targets,
    d loss / d targets (of loss.sum() for reduction "none")."""
    x = logits.detach().clone().requires_grad_(True)
    floating_target = target.is_floating_point()
    t = target.detach().clone().requires_grad_(floating_target)
    loss = FUNCTIONS[function](x, t, **kwargs)
    wrt = [x, t] if floating_target else [x]
    grads = torch.autograd.grad(loss.sum(), wrt)
    options = options_of(kwargs, source)
    return {
        "name": f"{source}/{name}/{dtype}",
        "sources": [f"{source}/{name}"],
        "function": function,
        "dtype": dtype,
        "inputShape": list(x.shape),
        "input": encode(x.detach().tolist()),
        "targetKind": "probabilities" if floating_target else "index",
        "target": encode(t.detach().tolist()),
        "options": encode(options),
        "loss": encode(loss.detach().tolist()),
        "grad": encode(grads[0].tolist()),
        "targetGrad": encode(grads[1].tolist()) if floating_target else None,
    }


def op_cases(op_db):
    cases = []
    for op in op_db:
        if op.name not in OPS or op.variant_test_name:
            continue
        for dtype, torch_dtype in DTYPES.items():
            torch.manual_seed(SEED)
            for k, sample in enumerate(op.sample_inputs("cpu", torch_dtype, requires_grad=True)):
                target, *rest = sample.args
                if rest:
                    raise ValueError(f"{op.name} sample {k}: positional arguments after the target")
                cases.append(run_case(OPS[op.name], dtype, f"OpInfo {op.name}", f"sample {k}",
                                      sample.input, target, dict(sample.kwargs)))
    return cases


def module_cases(module_db):
    cases = []
    for info in module_db:
        name = info.module_cls.__name__
        if name not in MODULES:
            continue
        for dtype, torch_dtype in DTYPES.items():
            torch.manual_seed(SEED)
            inputs = info.module_inputs_func(info, "cpu", torch_dtype, requires_grad=True, training=True)
            for k, module_input in enumerate(inputs):
                constructor = module_input.constructor_input
                logits, target = module_input.forward_input.args
                if constructor.args or module_input.forward_input.kwargs:
                    raise ValueError(f"{name} {module_input.desc}: positional constructor arguments")
                label = module_input.desc or f"input {k}"
                cases.append(run_case(MODULES[name], dtype, f"ModuleInfo {name}", label, logits, target,
                                      dict(constructor.kwargs)))
    return cases


def criterion_test_count(common_nn):
    return sum(1 for test in getattr(common_nn, "criterion_tests", [])
               if test.get("module_name") in MODULES)


def error_cases(module_db):
    """The error inputs, as tensors' values and dtypes, with the error PyTorch raises."""
    cases = []
    for info in module_db:
        name = info.module_cls.__name__
        if name not in MODULES or info.module_error_inputs_func is None:
            continue
        torch.manual_seed(SEED)
        for error in info.module_error_inputs_func(info, "cpu", torch.float32, requires_grad=False, training=True):
            module_input = error.module_error_input
            kwargs = dict(module_input.constructor_input.kwargs)
            logits, target = module_input.forward_input.args
            try:
                info.module_cls(**kwargs)(logits, target)
                raised = None
            except Exception as exc:  # the message is what the fixture records
                raised = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            weight = kwargs.get("weight")
            cases.append({
                "name": f"ModuleInfo {name}/error {len(cases)}",
                "function": MODULES[name],
                "inputShape": list(logits.shape),
                "inputDtype": dtype_name(logits.dtype),
                "input": encode(logits.tolist()),
                "targetShape": list(target.shape),
                "targetDtype": dtype_name(target.dtype),
                "target": encode(target.tolist()),
                "weightDtype": dtype_name(weight.dtype) if weight is not None else None,
                "options": encode(options_of(kwargs, name)),
                "expectedError": error.error_regex,
                "pytorchRaises": raised,
            })
    return cases


def deduplicate(cases):
    """One case per distinct (function, dtype, input, target, options); its sources listed."""
    seen = {}
    for case in cases:
        key = json.dumps([case[k] for k in ("function", "dtype", "input", "target", "options")])
        if key in seen:
            seen[key]["sources"] += case["sources"]
        else:
            seen[key] = case
    return list(seen.values())


def main():
    if int(torch.__version__.split(".")[0]) < 2:
        sys.exit(f"{GENERATOR} needs PyTorch 2.x (its test inputs); this Python has {torch.__version__}")
    torch.set_num_threads(1)  # reductions run in one fixed order
    op_db, module_db, common_nn = import_test_suite()
    raw = op_cases(op_db) + module_cases(module_db)
    cases = deduplicate(raw)
    errors = error_cases(module_db)
    document = {
        "format": "pytorch-suite/1",
        "generator": GENERATOR,
        "torch": torch.__version__,
        "seed": SEED,
        "encoding": NAN_ENCODING,
        "tolerances": tolerances(),
        "sources": {
            "opInfoSamples": sum(1 for c in raw if c["sources"][0].startswith("OpInfo")),
            "moduleInfoInputs": sum(1 for c in raw if c["sources"][0].startswith("ModuleInfo")),
            "commonNnCriterionTests": criterion_test_count(common_nn),
            "moduleErrorInputs": len(errors),
        },
        "errors": errors,
        "cases": cases,
    }
    size = write_document(os.path.join(OUT_DIR, "pytorch-suite.json"), document)
    print(f"{GENERATOR}: {len(cases)} unique cases from {len(raw)} inputs and {len(errors)} error inputs, "
          f"torch {torch.__version__}, {size} bytes")


if __name__ == "__main__":
    main()
