/**
 * Runs the real-gateway tests: builds a LAN / gateway / ISP topology of network namespaces, runs
 * `build/test/gateway/*.test.js` inside the LAN namespace (they start miniupnpd in the gateway
 * namespace through ./rig.js), and always tears the topology down.
 *
 *   node build/test/gateway/run-gateway-tests.js [file filter...] [--node-test-option...]
 *
 * A word that starts with "-" goes to `node --test` as is (write options with "=", e.g.
 * `--test-name-pattern=TCP`); any other word keeps only the test files whose name contains it.
 * Not root, or no network namespaces: one line says why and the exit code is 0, except on CI
 * (CI=true) where it is 1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { installMissingPackages, rigPackages } from "./debian-packages.js";
import { createTopology, destroyTopology, newRunId, removeStaleNamespaces, whyNamespacesAreUnavailable } from "./namespaces.js";
import { rigEnvironmentVariable, topologyForRun, type RigTopology } from "./rig-topology.js";
import { createWorkDir, removeStaleWorkDirs } from "./work-dirs.js";

/** Bounds one test, so that a hung test fails the run instead of hanging CI. */
const perTestTimeoutMs = 120_000;

async function main(argv: readonly string[]): Promise<number> {
  const whyNot = await whyRigCannotRun();
  if (whyNot !== undefined) {
    // On CI a skipped suite must not look like a passing one.
    const onCi = process.env["CI"] === "true";
    console.log(`gateway tests ${onCi ? "cannot run on CI" : "skipped"}: ${whyNot}`);
    return onCi ? 1 : 0;
  }
  await installMissingPackages(rigPackages);
  const stale = await removeStaleNamespaces();
  if (stale.length > 0) console.log(`gateway rig: removed leftovers of crashed runs: ${stale.join(" ")}`);
  await removeStaleWorkDirs();

  const files = await testFiles(argv.filter((arg) => !arg.startsWith("-")));
  if (files.length === 0) {
    console.log("gateway tests: no test file matches");
    return 1;
  }
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
    child = spawnTestsInLan(topology, files, argv.filter((arg) => arg.startsWith("-")));
    return await exitCodeOf(child);
  } finally {
    await teardown();
  }
}

async function whyRigCannotRun(): Promise<string | undefined> {
  if (process.platform !== "linux") return `needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "needs root (network namespaces, nftables, miniupnpd)";
  return whyNamespacesAreUnavailable();
}

async function testFiles(filters: readonly string[]): Promise<string[]> {
  const directory = dirname(fileURLToPath(import.meta.url));
  const names = (await readdir(directory)).filter((name) => name.endsWith(".test.js")).sort();
  const chosen = filters.length === 0 ? names : names.filter((name) => filters.some((filter) => name.includes(filter)));
  return chosen.map((name) => join(directory, name));
}

function spawnTestsInLan(topology: RigTopology, files: readonly string[], nodeTestOptions: readonly string[]): ChildProcess {
  const args = ["netns", "exec", topology.lan.namespace, process.execPath, "--test", "--test-concurrency=1", `--test-timeout=${perTestTimeoutMs}`, ...nodeTestOptions, ...files];
  return spawn("ip", args, {
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error("gateway rig failed:", error);
    process.exitCode = 1;
  },
);
