"""PyTorch's side of `npm run bench:linear`: F.linear_cross_entropy on CPU, float32,
forward + backward (gradients of input and weight), on the reference path (options=None) or
the chunked path (options=torch.nn.LinearCrossEntropyOptions()).

Usage: PYTHON src/commands/bench/linear_pytorch.py N D V reference|chunked threads(1|default) [reps]
Prints one JSON object: torch version, threads used, the median seconds of `reps` timed calls
after one warm-up, and the peak RSS growth of one call (VmHWM after minus VmRSS before, the peak
reset through /proc/self/clear_refs), which includes the gradients autograd allocates.
"""
import json
import statistics
import sys
import time


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    n, d, v = (int(a) for a in sys.argv[1:4])
    path, threads = sys.argv[4], sys.argv[5]
    reps = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    import torch
    import torch.nn.functional as F

    if threads != "default":
        torch.set_num_threads(int(threads))
    torch.manual_seed(0)
    x = (torch.randn(n, d) / d ** 0.25).requires_grad_()
    w = (torch.randn(v, d) / d ** 0.25).requires_grad_()
    y = torch.randint(0, v, (n,))
    options = torch.nn.LinearCrossEntropyOptions() if path == "chunked" else None

    def call():
        x.grad = None
        w.grad = None
        F.linear_cross_entropy(x, w, y, options=options).backward()

    call()
    times = []
    growth = None
    for rep in range(reps):
        peak_known = True
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            peak_known = False
        before = status("VmRSS")
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        if rep == 0 and peak_known:
            growth = status("VmHWM") - before
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "seconds": statistics.median(times), "rssGrowth": growth}))


if __name__ == "__main__":
    main()
