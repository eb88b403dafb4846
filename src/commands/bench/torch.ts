/**
 * PyTorch as a peer of `npm run bench`: F.cross_entropy through pytorch.py, run by a python
 * that has torch, one shape per run (so each shape is timed right beside ours):
 *   - PyTorch 2.x at 1 thread, the goal's yardstick, and at its default thread count: the
 *     first python with torch >= 2 among $BENCH_PYTHON, the project's .venv/bin/python,
 *     python3 and python on PATH;
 *   - Debian's PyTorch 1.13 (/usr/bin/python3) at 1 thread, the fixtures' version.
 * A python without torch, or a run that fails, gives a peer that says why instead of figures.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Measure } from "./measure";

/** One PyTorch column: which python, which version and threads; `missing` says why there are no figures. */
export interface TorchPeer {
  key: "torch2" | "torch2Threads" | "torch1";
  python: string;
  version: string | null;
  /** The widest vectors its CPU kernels use on this machine ("AVX512", "AVX2"), or "" where it cannot tell. */
  capability: string;
  /** The threads asked for: 1, or PyTorch's default ... */
  threads: 1 | "default";
  /** ... and the threads it used (torch.get_num_threads()), once it ran. */
  used: number | null;
  missing: string | null;
  /** Runs that failed after it had run once, as "(N, C): the error's last line"; its other runs' figures stand. */
  failures: string[];
}

/** Repetitions pytorch.py makes per shape (after its 2 warm-ups). */
export const TORCH_REPS = 5;

/** A python's torch.__version__ and the widest vectors its CPU kernels use here (torch.backends.cpu.get_cpu_capability(): "AVX512", "AVX2", ...; "" where it cannot tell). */
const PROBE =
  "import json, torch; print(json.dumps([torch.__version__, getattr(getattr(torch.backends, 'cpu', None), 'get_cpu_capability', lambda: '')()]))";

/** torch.__version__ and its CPU capability for a python, or null when it cannot import torch. */
function torchVersion(python: string): { version: string; capability: string } | null {
  try {
    const out = execFileSync(python, ["-c", PROBE], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 120_000 });
    // The last line: whatever torch prints on import comes before it.
    const [version, capability] = JSON.parse(out.trim().split("\n").pop() ?? "[]") as [string?, string?];
    return version ? { version, capability: capability ?? "" } : null;
  } catch {
    return null;
  }
}

const major = (version: string): number => Number(version.split(".")[0]);

/** The three PyTorch peers, found (not yet run). */
export function findTorch(root: string): TorchPeer[] {
  const candidates = [process.env.BENCH_PYTHON, join(root, ".venv", "bin", "python"), "python3", "python"].filter((p): p is string => !!p);
  let current: { python: string; version: string; capability: string } | null = null;
  for (const python of candidates) {
    if (python.includes("/") && !existsSync(python)) continue;
    const found = torchVersion(python);
    if (found && major(found.version) >= 2) {
      current = { python, ...found };
      break;
    }
  }
  const none = `not installed (no python with torch >= 2 among ${candidates.join(", ")}; set BENCH_PYTHON to one)`;
  const debian = "/usr/bin/python3";
  const legacy = existsSync(debian) ? torchVersion(debian) : null;
  const shown = (python: string): string => python.replace(root + "/", "");
  return [
    { key: "torch2", python: current ? shown(current.python) : "", version: current?.version ?? null, capability: current?.capability ?? "", threads: 1, used: null, missing: current ? null : none, failures: [] },
    { key: "torch2Threads", python: current ? shown(current.python) : "", version: current?.version ?? null, capability: current?.capability ?? "", threads: "default", used: null, missing: current ? null : none, failures: [] },
    {
      key: "torch1",
      python: debian,
      version: legacy?.version ?? null,
      capability: legacy?.capability ?? "",
      threads: 1,
      used: null,
      missing: legacy ? null : `not installed (${debian} ${existsSync(debian) ? "cannot import torch" : "missing"})`,
      failures: [],
    },
  ];
}

/**
 * The column's name: "PyTorch 2.13.0+cpu, 1 thread", "PyTorch 2.13.0+cpu, default threads (2)";
 * short: "PyTorch 2.13, 1 thread", "PyTorch 2.13, 2 threads".
 */
export function torchName(peer: TorchPeer, short = false): string {
  const version = peer.version ?? (peer.key === "torch1" ? "1.13" : "2.x");
  if (short) {
    const threads = peer.threads === 1 ? "1 thread" : peer.used === null ? "default threads" : `${peer.used} threads`;
    return `PyTorch ${version.split(".").slice(0, 2).join(".")}, ${threads}`;
  }
  return `PyTorch ${version}, ${peer.threads === 1 ? "1 thread" : `default threads${peer.used === null ? "" : ` (${peer.used})`}`}`;
}

/**
 * One shape through pytorch.py: a Measure, or null when the peer is missing or the run failed.
 * A peer whose first run fails is marked missing with the error's last line (the bench goes on
 * without it). A failure after it has run once is added to its failures instead: the figures
 * it has stand, and it runs again at the next shape or round (npm run bench -- --rounds K).
 */
export function runTorch(peer: TorchPeer, N: number, C: number, root: string): Measure | null {
  if (peer.missing) return null;
  const script = join(root, "src", "commands", "bench", "pytorch.py");
  const python = peer.python.includes("/") && !peer.python.startsWith("/") ? join(root, peer.python) : peer.python;
  try {
    const out = execFileSync(python, [script, `${N}x${C}`, String(TORCH_REPS), String(peer.threads)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const parsed = JSON.parse(out) as { torch: string; threads: number; shapes: Array<Record<string, number | null>> };
    const s = parsed.shapes[0];
    peer.used = parsed.threads;
    return {
      impl: peer.key,
      rows: N,
      forward: s.forwardSeconds,
      forwardBackward: s.forwardBackwardSeconds,
      forwardGrowth: s.forwardRssGrowth,
      forwardBackwardGrowth: s.forwardBackwardRssGrowth,
    };
  } catch (error) {
    const reason = String((error as { stderr?: string }).stderr || error).trim().split("\n").pop();
    if (peer.used === null) peer.missing = `failed: ${reason}`;
    else peer.failures.push(`(${N}, ${C}): ${reason}`);
    return null;
  }
}
