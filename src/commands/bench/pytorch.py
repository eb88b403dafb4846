"""PyTorch's side of `npm run bench`: F.cross_entropy on CPU, float32.

Usage: PYTHON src/commands/bench/pytorch.py 1024x32000,8x50257 [repetitions] [threads]
threads: a number (the bench uses 1) or "default" (PyTorch's own choice, one per core).
Prints one JSON object: torch version, threads used, and per shape the median seconds of the forward
(F.cross_entropy) and of forward + backward (loss.backward(), x.grad allocated by autograd
as in training), plus the peak RSS growth of each (VmHWM after minus VmRSS before, with the
peak reset through /proc/self/clear_refs). Random normal logits, like the Node side.
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


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


WARMUP_SECONDS = 0.25  # as measure.ts: at least this long, and at least `warmup` calls
TIMED_SECONDS = 0.5  # as measure.ts: the timed runs too, and at least `reps` of them


def measure(fn, reps, warmup=2):
    start = time.perf_counter()
    done = 0
    while done < warmup or time.perf_counter() - start < WARMUP_SECONDS:
        fn()
        done += 1
    times = []
    timed = time.perf_counter()
    while len(times) < reps or time.perf_counter() - timed < TIMED_SECONDS:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    peak_known = reset_peak()
    before = status("VmRSS")
    fn()
    growth = status("VmHWM") - before if peak_known else None
    return statistics.median(times), growth


def main():
    shapes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[1].split(",")]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    threads = sys.argv[3] if len(sys.argv) > 3 else "1"
    import torch
    import torch.nn.functional as F

    if threads != "default":
        torch.set_num_threads(int(threads))
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "shapes": []}
    for n, c in shapes:
        x = torch.randn(n, c, dtype=torch.float32)
        y = torch.randint(0, c, (n,))
        forward, forward_growth = measure(lambda: F.cross_entropy(x, y), reps)
        xg = x.clone().requires_grad_()

        def both():
            xg.grad = None
            F.cross_entropy(xg, y).backward()

        backward, backward_growth = measure(both, reps)
        out["shapes"].append({
            "N": n, "C": c,
            "forwardSeconds": forward, "forwardBackwardSeconds": backward,
            "forwardRssGrowth": forward_growth, "forwardBackwardRssGrowth": backward_growth,
        })
        del x, xg
    print(json.dumps(out))


if __name__ == "__main__":
    main()
