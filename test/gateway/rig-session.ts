/**
 * One use of the real-gateway rig from the host side: check that it can run here, build a fresh
 * LAN / gateway / ISP topology, run one command inside the LAN namespace, and always tear the
 * topology down. Shared by the gateway test runner and the benchmark runner.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { installMissingPackages, rigPackages } from "./debian-packages.js";
import { createTopology, destroyTopology, newRunId, removeStaleNamespaces, whyNamespacesAreUnavailable } from "./namespaces.js";
import { rigEnvironmentVariable, topologyForRun, type RigTopology } from "./rig-topology.js";
import { createWorkDir, removeStaleWorkDirs } from "./work-dirs.js";

/** Why the rig cannot run on this machine (not Linux, not root, no namespaces), or undefined. */
export async function whyRigCannotRun(): Promise<string | undefined> {
  if (process.platform !== "linux") return `needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "needs root (network namespaces, nftables, miniupnpd)";
  return whyNamespacesAreUnavailable();
}

/**
 * Installs what the rig needs, removes leftovers of crashed runs, builds a fresh topology and runs
 * `command args` in its LAN namespace, with the topology in `PORTHOLE_RIG` (read by
 * `rigFromEnvironment`) and the parent's stdio. Resolves with the command's exit code. The
 * topology is torn down however this ends: normally, on error, or on SIGINT/SIGTERM (which also
 * reach the command, and exit this process with 130/143).
 */
export async function runInFreshRig(command: string, args: readonly string[]): Promise<number> {
  await installMissingPackages(rigPackages);
  const stale = await removeStaleNamespaces();
  if (stale.length > 0) console.log(`gateway rig: removed leftovers of crashed runs: ${stale.join(" ")}`);
  await removeStaleWorkDirs();

  const runId = newRunId();
  const topology = topologyForRun(runId, await createWorkDir(runId));
  const teardown = onceOnly(async () => {
    await destroyTopology(topology);
    await rm(topology.workDir, { recursive: true, force: true });
  });
  let child: ChildProcess | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    child?.kill(signal);
    const exit = (): never => process.exit(signal === "SIGINT" ? 130 : 143);
    teardown().then(exit, exit);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await createTopology(topology);
    child = spawnInLan(topology, command, args);
    return await exitCodeOf(child);
  } finally {
    await teardown();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function spawnInLan(topology: RigTopology, command: string, args: readonly string[]): ChildProcess {
  return spawn("ip", ["netns", "exec", topology.lan.namespace, command, ...args], {
    stdio: "inherit",
    env: { ...process.env, [rigEnvironmentVariable]: JSON.stringify(topology) },
  });
}

function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code ?? 1));
  });
}

function onceOnly(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= task());
}
