import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRunning } from "./processes.js";

const workDirPrefix = "porthole-rig-";

/** A fresh temporary directory for one run; its name starts with the run id (runner pid first). */
export function createWorkDir(runId: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${workDirPrefix}${runId}-`));
}

/** Removes the work directories of earlier runs whose runner is gone. */
export async function removeStaleWorkDirs(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const owner = new RegExp(`^${workDirPrefix}(\\d+)-`).exec(name)?.[1];
    if (owner !== undefined && !(await isRunning(Number(owner)))) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}
