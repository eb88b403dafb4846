/**
 * Jupyter's Interrupt for the course's long loops (training), under the tslab kernel.
 *
 * Jupyter interrupts a kernel whose kernelspec has no `interrupt_mode` by sending SIGINT to
 * its process group. tslab 1.0.22 answers it in two ways: a cell that is still running
 * synchronously is stopped by `vm`'s `breakOnSigint`, but a cell that awaits only stops
 * being waited for (tslab's SIGINT listener rejects the cell with "Interrupted
 * asynchronously") while its work goes on in the background.
 *
 * So, under tslab, this module takes SIGINT over (at import, and again at every poll): while
 * a course loop polls `stopIfInterrupted`, Interrupt sets a flag that the loop sees at its
 * next poll, and the loop throws `Interrupted` with one line for the learner. When no loop
 * polls, tslab's own listener handles the signal as before. A loop must yield to the event loop for a signal
 * to be delivered at all: `stopIfInterrupted` does so every YIELD_MS.
 *
 * @example for (...) { oneStep(); await stopIfInterrupted(() => `stopped at step ${step}`); }
 * Used by trainSoftmaxRegression (notebooks 10 and 11) and notebook 12's training loop.
 */

/** Longest stretch of work between two yields to the event loop (the Interrupt's latency). */
export const YIELD_MS = 50;
/** A loop counts as running if it polled this recently when the signal came. */
export const ACTIVE_MS = 500;
/** A request no loop has taken within this time goes to tslab's listener after all. */
export const GRACE_MS = 1500;

/** Thrown by a loop that Interrupt stopped; Jupyter shows only its message, on one line. */
export class Interrupted extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Interrupted";
  }

  /** tslab prints a failed cell's error with console.error: one line, no stack frames. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.message;
  }
}

/** The part of `process` the watch uses (a test passes an EventEmitter). */
export interface SignalSource {
  listeners(event: "SIGINT"): Function[];
  removeListener(event: "SIGINT", listener: (...args: any[]) => void): unknown;
  on(event: "SIGINT", listener: () => void): unknown;
}

/** The flag a SIGINT sets and the loops poll; one per process (`interruptWatch`). */
export class InterruptWatch {
  private requested = false;
  private lastPoll = -Infinity;
  private lastYield = -Infinity;
  private fallback: ReturnType<typeof setTimeout> | undefined;
  private previous: Function[] = [];
  private source: SignalSource | undefined;
  private readonly listener = () => this.onSignal();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes SIGINT over from the listeners on `source` (tslab's), now and at every poll. */
  install(source: SignalSource): void {
    this.source = source;
    this.adopt();
  }

  /**
   * Moves every other SIGINT listener behind ours. Done at every poll, not once: a cell runs
   * inside `vm`'s breakOnSigint wrapper, which detaches tslab's listener while the cell's
   * synchronous part runs and attaches it again afterwards, beside ours.
   */
  private adopt(): void {
    const source = this.source;
    if (!source) return;
    const all = source.listeners("SIGINT");
    if (all.length === 1 && all[0] === this.listener) return;
    for (const other of all) {
      if (other === this.listener) continue;
      if (!this.previous.includes(other)) this.previous.push(other);
      source.removeListener("SIGINT", other as (...args: unknown[]) => void);
    }
    if (!all.includes(this.listener)) source.on("SIGINT", this.listener);
  }

  private onSignal(): void {
    if (this.now() - this.lastPoll > ACTIVE_MS) {
      this.passOn();
      return;
    }
    this.requested = true;
    clearTimeout(this.fallback);
    // A loop that ended just before the signal never polls again: then tslab decides.
    this.fallback = setTimeout(() => {
      if (this.requested) {
        this.requested = false;
        this.passOn();
      }
    }, GRACE_MS);
    this.fallback.unref?.();
  }

  private passOn(): void {
    for (const listener of this.previous) listener.call(this.source, "SIGINT");
  }

  /** Sets the flag as a SIGINT during a loop does (for tests, and a Stop button). */
  request(): void {
    this.lastPoll = this.now();
    this.onSignal();
  }

  /** True once after an Interrupt; marks the caller as a running loop. */
  take(): boolean {
    this.adopt();
    this.lastPoll = this.now();
    if (!this.requested) return false;
    this.requested = false;
    clearTimeout(this.fallback);
    return true;
  }

  /** Whether YIELD_MS have passed since the last yield (and counts this as one if so). */
  yieldDue(): boolean {
    const now = this.now();
    if (now - this.lastYield < YIELD_MS) return false;
    this.lastYield = now;
    return true;
  }
}

/** The process's one watch: installed on `process` when the module runs inside tslab. */
export const interruptWatch = new InterruptWatch();
if ("__tslab__" in globalThis) interruptWatch.install(process);

/**
 * Call between the steps of a long loop: yields to the event loop every YIELD_MS (so
 * Interrupt's SIGINT is delivered), then throws `Interrupted(message())` if Interrupt was
 * pressed. Outside tslab it only yields.
 */
export async function stopIfInterrupted(message: () => string, watch: InterruptWatch = interruptWatch): Promise<void> {
  if (watch.yieldDue()) await new Promise((resolve) => setImmediate(resolve));
  if (watch.take()) throw new Interrupted(message());
}
