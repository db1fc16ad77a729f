/** Runs hostile-client.js in a child process and reports whether it exited by itself. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ClientOutcome } from "./hostile-client.js";

const clientPath = fileURLToPath(new URL("./hostile-client.js", import.meta.url));

export interface ChildResult {
  /** The process ended on its own before the watchdog; false means something kept it alive. */
  exitedByItself: boolean;
  exitCode: number | null;
  stderr: string;
  outcome: ClientOutcome | undefined;
}

/**
 * Runs one hostile-client call. `watchdogMs` is generous (the call's own budget plus seconds of
 * slack): it only tells a process that hangs from one that ends, it does not time anything.
 */
export function runHostileClient(args: readonly string[], watchdogMs: number): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [clientPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let exitedByItself = true;
    const watchdog = setTimeout(() => {
      exitedByItself = false;
      child.kill("SIGKILL");
    }, watchdogMs);
    child.on("close", (exitCode) => {
      clearTimeout(watchdog);
      const line = stdout.trim().split("\n").pop();
      resolve({ exitedByItself, exitCode, stderr, outcome: line ? (JSON.parse(line) as ClientOutcome) : undefined });
    });
  });
}
