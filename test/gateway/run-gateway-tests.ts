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
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runInFreshRig, whyRigCannotRun } from "./rig-session.js";

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
  const files = await testFiles(argv.filter((arg) => !arg.startsWith("-")));
  if (files.length === 0) {
    console.log("gateway tests: no test file matches");
    return 1;
  }
  const nodeTestOptions = argv.filter((arg) => arg.startsWith("-"));
  return runInFreshRig(process.execPath, ["--test", "--test-concurrency=1", `--test-timeout=${perTestTimeoutMs}`, ...nodeTestOptions, ...files]);
}

async function testFiles(filters: readonly string[]): Promise<string[]> {
  const directory = dirname(fileURLToPath(import.meta.url));
  const names = (await readdir(directory)).filter((name) => name.endsWith(".test.js")).sort();
  const chosen = filters.length === 0 ? names : names.filter((name) => filters.some((filter) => name.includes(filter)));
  return chosen.map((name) => join(directory, name));
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
