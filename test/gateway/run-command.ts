import { spawn } from "node:child_process";

/** What a finished command left behind. */
export interface CommandResult {
  /** Exit code; null when the command was killed (for instance on timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface RunCommandOptions {
  /** Kills the command (SIGKILL) after this long. @default 10000 */
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

const defaultCommandTimeoutMs = 10_000;

/**
 * Runs a command to completion and collects its output. Resolves whatever the exit code is, so
 * callers can look at failures; rejects only when the command cannot be started at all.
 */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? defaultCommandTimeoutMs;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // A command that exits without reading its stdin makes the write fail with EPIPE; that is fine.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
      });
    });
  });
}

/** Runs a command and rejects, quoting its stderr, unless it exits with code 0. */
export async function runChecked(command: string, args: readonly string[], options: RunCommandOptions = {}): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    const why = result.timedOut ? "timed out" : `exited with code ${result.code}`;
    throw new Error(`${command} ${args.join(" ")} ${why}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}
