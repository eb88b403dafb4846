/**
 * Killing what a graded notebook started: its process group, and on Linux every process whose
 * environment still carries the run's marker (a learner's `spawn(..., { detached: true })`
 * leaves the group but keeps the environment it inherited).
 */
import * as fs from "node:fs";

/** SIGKILL to the process group led by `pid`; a group that is gone already is fine. */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: nothing left in that group
  }
}

/**
 * SIGKILL to every process of this user whose environment holds `name=value`, repeated until
 * none is left (a dying process may have forked). Returns the pids killed. Linux only: where
 * /proc is missing it finds nothing, and the process groups are all there is.
 */
export function killMarked(name: string, value: string): number[] {
  const killed: number[] = [];
  const marker = Buffer.from(`${name}=${value}\0`);
  for (let round = 0; round < 5; round++) {
    // A killed process lingers (dying, or a zombie until reaped): count it once.
    const found = markedProcesses(marker).filter((pid) => pid !== process.pid && !killed.includes(pid));
    if (found.length === 0) break;
    for (const pid of found) {
      try {
        process.kill(pid, "SIGKILL");
        killed.push(pid);
      } catch {
        // gone already
      }
    }
  }
  return killed;
}

/** The pids whose environment holds `marker` (NAME=value\0). */
export function markedProcesses(marker: Buffer): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`);
      // NAME=value is at the start of the block or right after a \0.
      const at = environ.indexOf(marker);
      if (at === 0 || (at > 0 && environ[at - 1] === 0)) found.push(Number(entry));
    } catch {
      // another user's process, or one that just ended
    }
  }
  return found;
}
