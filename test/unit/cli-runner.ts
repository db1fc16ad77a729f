/**
 * Runs the built `porthole` CLI (the bundle) as a child process, the way users run it. Every call in the tests
 * names its gateway (`--gateway URL`) or a unicast loopback search target (`--ssdp-target`), so
 * the CLI never searches by multicast on this machine's networks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The `porthole` the package ships (package.json `bin`): the bundle `npm run build` makes. */
export const cliPath = fileURLToPath(new URL("../../bin/porthole.cjs", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Guards against a hang only; no test asserts on time. */
const hangGuardMs = 30_000;

/**
 * porthole's configuration directory for the tests (where `map` keeps its PCP secret): a temporary
 * one, never the user's own, removed when the test process ends.
 */
export const testConfigDir = mkdtempSync(path.join(tmpdir(), "porthole-config-"));
process.once("exit", () => rmSync(testConfigDir, { recursive: true, force: true }));

export function startPorthole(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, NO_COLOR: undefined, PORTHOLE_CONFIG_DIR: testConfigDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** What the child wrote and how it ended. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => child.kill("SIGKILL"), hangGuardMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function porthole(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return finished(startPorthole(args, env));
}

/** Runs porthole with `--json` and returns the exit code and the parsed stdout document. */
export async function portholeJson(args: readonly string[]): Promise<{ code: number | null; json: any; stderr: string }> {
  const result = await porthole([...args, "--json"]);
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return { code: result.code, json, stderr: result.stderr };
}

/** Resolves with the first complete JSON document the child prints on stdout. */
export function firstJsonDocument(child: ChildProcess): Promise<any> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer | string): void => {
      text += String(chunk);
      try {
        const document: unknown = JSON.parse(text);
        child.stdout?.off("data", onData);
        resolve(document);
      } catch {
        // Not complete yet.
      }
    };
    child.stdout?.on("data", onData);
    child.once("close", (code) => reject(new Error(`porthole exited (${code}) before printing a JSON document: ${text}`)));
  });
}
