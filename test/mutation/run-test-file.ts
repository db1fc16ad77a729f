import { spawn } from "node:child_process";

export type TestOutcome = "passed" | "failed" | "timeout";

export interface TestFileRun {
  outcome: TestOutcome;
  durationMs: number;
}

/**
 * Runs one compiled test file as its own process (`node file`: node:test runs it and exits 1 on a
 * failure). The process gets its own group, so a time-out ends the children it started too (the
 * CLI, virtual gateways, hostile clients).
 */
export function runTestFile(root: string, file: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<TestFileRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--test-reporter=dot", file], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: "ignore",
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const finish = (outcome: TestOutcome): void => {
      clearTimeout(timer);
      // Whatever the test left running (a gateway a mutant kept open) goes with it.
      killGroup(child.pid);
      resolve({ outcome, durationMs: performance.now() - started });
    };
    child.on("error", () => finish("failed"));
    child.on("exit", (code) => finish(timedOut ? "timeout" : code === 0 ? "passed" : "failed"));
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is already gone.
  }
}
