/**
 * `porthole gateway` (the virtual gateway) run inside the rig's gateway namespace in place of
 * miniupnpd, for the reference clients on the LAN side to talk to.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { RunningGatewayJson } from "../../src/cli/commands/gateway.js";
import { stopProcess, stopProcessesInNamespace } from "./processes.js";
import type { RigTopology } from "./rig-topology.js";

/** The bundle the package ships as `porthole`. */
export const cliPath = fileURLToPath(new URL("../../bin/porthole.cjs", import.meta.url));

export interface RunningCliGateway {
  /** What it printed once running (`--json`). */
  readonly info: RunningGatewayJson;
  readonly child: ChildProcess;
  /** Its log so far: one line per thing it did. */
  stderr(): string;
}

/** Starts `porthole gateway --json ARGS` in the gateway namespace, after stopping whatever ran there. */
export async function startCliGateway(rig: RigTopology, args: readonly string[]): Promise<RunningCliGateway> {
  await stopProcessesInNamespace(rig.gateway.namespace);
  const child = spawn("ip", ["netns", "exec", rig.gateway.namespace, process.execPath, cliPath, "gateway", "--json", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const info = await new Promise<RunningGatewayJson>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        resolve(JSON.parse(stdout) as RunningGatewayJson);
      } catch {
        // Not the whole document yet.
      }
    });
    child.once("close", (code) => reject(new Error(`porthole gateway exited (${code}): ${stderr}`)));
  });
  return { info, child, stderr: () => stderr };
}

/** Stops it as Ctrl-C would (SIGTERM) and returns its exit code. */
export async function stopCliGateway(gateway: RunningCliGateway): Promise<number | null> {
  if (gateway.child.exitCode !== null) return gateway.child.exitCode;
  const closed = new Promise<number | null>((resolve) => gateway.child.once("close", (code) => resolve(code)));
  if (gateway.child.pid !== undefined) await stopProcess(gateway.child.pid);
  return closed;
}
