/**
 * `npm run bench`: builds a fresh LAN / gateway / ISP topology of network namespaces (the rig of
 * test/gateway), runs bench/measure.js inside the LAN namespace, and always tears it down.
 * Needs root and network namespaces; without them it says why in one line and exits with 1.
 * No benchmark figure is ever asserted by `npm test`: this only reports.
 *
 *   node build/bench/run-bench.js [suite...]   (e.g. `listing memory`: only those suites, nothing written)
 */
import { fileURLToPath } from "node:url";
import { runInFreshRig, whyRigCannotRun } from "../test/gateway/rig-session.js";

const measurePath = fileURLToPath(new URL("./measure.js", import.meta.url));

async function main(argv: readonly string[]): Promise<number> {
  const whyNot = await whyRigCannotRun();
  if (whyNot !== undefined) {
    console.error(`bench cannot run: ${whyNot}`);
    return 1;
  }
  return runInFreshRig(process.execPath, [measurePath, ...argv]);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error("bench failed:", error);
    process.exitCode = 1;
  },
);
