import { readFile } from "node:fs/promises";
import { delay } from "../../src/util/deadline.js";
import { runCommand } from "./run-command.js";

/**
 * Whether a process is alive. A zombie counts as gone: a daemonized miniupnpd is reparented to
 * pid 1, which in a container may take its time to reap it, and `kill(pid, 0)` still succeeds then.
 */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The state letter follows the command name, which is in parentheses and may hold spaces.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/**
 * Sends SIGTERM, waits up to `graceMs` for the process to go, then sends SIGKILL and waits a
 * little more, so that the ports it held are free when this resolves.
 */
export async function stopProcess(pid: number, graceMs = 2_000): Promise<void> {
  if (!signalProcess(pid, "SIGTERM")) return;
  if (await waitForExit(pid, graceMs)) return;
  signalProcess(pid, "SIGKILL");
  await waitForExit(pid, 1_000);
}

/** Polls until the process is gone; false when it still runs after `timeoutMs`. */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const giveUpAt = Date.now() + timeoutMs;
  while (await isRunning(pid)) {
    if (Date.now() >= giveUpAt) return false;
    await delay(20);
  }
  return true;
}

/** The pids of every process whose network namespace is `namespace`, this process excepted. */
async function pidsInNamespace(namespace: string): Promise<number[]> {
  const result = await runCommand("ip", ["netns", "pids", namespace]);
  if (result.code !== 0) return [];
  return result.stdout
    .split(/\s+/)
    .filter((word) => /^\d+$/.test(word))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** Stops every process living in `namespace`, each given the same grace period. */
export async function stopProcessesInNamespace(namespace: string, graceMs?: number): Promise<void> {
  const pids = await pidsInNamespace(namespace);
  await Promise.all(pids.map((pid) => stopProcess(pid, graceMs)));
}

/** Sends a signal; false when the process was already gone. */
function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
