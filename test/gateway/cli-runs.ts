/**
 * `porthole` run as a user runs it, on the rig's LAN host (the tests already run there), with its
 * configuration directory (where `map` keeps its PCP secret) in the rig's own work directory,
 * never the user's.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { cliPath } from "./cli-gateway.js";
import { runInLan } from "./namespace-commands.js";
import type { CommandResult } from "./run-command.js";
import type { RigTopology } from "./rig-topology.js";

function cliEnvironment(rig: RigTopology): Record<string, string> {
  return { PORTHOLE_CONFIG_DIR: join(rig.workDir, "porthole-config") };
}

/** Runs `porthole args` to its end (at most 20 s, which fails the test). */
export async function portholeInLan(rig: RigTopology, args: readonly string[]): Promise<CommandResult> {
  const result = await runInLan(process.execPath, [cliPath, ...args], { timeoutMs: 20_000, env: cliEnvironment(rig) });
  assert.equal(result.timedOut, false, `porthole ${args.join(" ")} timed out`);
  return result;
}

/** Runs `porthole args --json` and parses the one document it printed. */
export async function portholeJsonInLan(rig: RigTopology, args: readonly string[]): Promise<{ code: number | null; json: any }> {
  const result = await portholeInLan(rig, [...args, "--json"]);
  return { code: result.code, json: JSON.parse(result.stdout) };
}

/** Starts `porthole args` and leaves it running (`hold`), its output piped. */
export function startPortholeInLan(rig: RigTopology, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...cliEnvironment(rig) } });
}
