/**
 * The measuring process of `npm run bench`. It runs inside the rig's LAN namespace (started there
 * by run-bench.js), starts one miniupnpd in the gateway namespace and measures every client
 * against it, then prints the table and writes docs/benchmarks.md and bench/results/latest.json.
 *
 *   measure.js [suite...]   only the suites whose name contains one of the words; the report is
 *                           then printed but not written, since it is incomplete.
 */
import { gatewayFromUrl } from "../src/index.js";
import { rigFromEnvironment, startMiniupnpd } from "../test/gateway/rig.js";
import type { BenchContext } from "./context.js";
import { describeMachine } from "./machine.js";
import { measureQueuedOperations } from "./operations.js";
import { clearTable } from "./raw-igd.js";
import { printReport, writeReport } from "./report.js";
import { Recorder } from "./results.js";
import { measureBulk } from "./suites/bulk.js";
import { measureCompat } from "./suites/compat.js";
import { measureFloor } from "./suites/floor.js";
import { measureListing } from "./suites/listing.js";
import { measureMemory } from "./suites/memory.js";
import { measureNatPortMapper } from "./suites/nat-port-mapper.js";
import { measurePorthole } from "./suites/porthole.js";
import { measureProcesses } from "./suites/processes.js";
import { measureManaged } from "./suites/managed.js";
import { measurePortControl } from "./suites/port-control.js";
import { measureRecovery } from "./suites/recovery.js";
import { measureDoctor } from "./suites/doctor.js";
import { evaluateTargets } from "./targets.js";

const queuedOperationsStep = "SOAP operations of the suites above, in turns";

async function main(only: readonly string[]): Promise<void> {
  const rig = rigFromEnvironment();
  const machine = await describeMachine();
  // Without debug: miniupnpd daemonizes and logs nothing per request (with -d every call is slower).
  const daemon = await startMiniupnpd(rig);
  try {
    const gateway = await gatewayFromUrl(daemon.descriptionUrl);
    const context: BenchContext = {
      rig,
      daemon,
      service: { controlUrl: gateway.controlUrl, serviceType: gateway.serviceType },
      lanAddress: rig.lan.ipv4,
      recorder: new Recorder(),
      operations: [],
    };
    const findings: string[] = [];
    const suites: Array<[string, () => Promise<unknown>]> = [
      ["floor", () => measureFloor(context)],
      ["porthole", () => measurePorthole(context)],
      ["porthole compat", () => measureCompat(context)],
      ["nat-port-mapper", async () => {
        if (!(await measureNatPortMapper(context))) {
          findings.push("nat-port-mapper 4.0.5 unmap() does not delete on miniupnpd 2.3.1: it sends DeletePortMapping with an empty NewProtocol, which is refused, and the error is only logged. Its delete rows time a failing request.");
        }
      }],
      // The operations the suites above queued, in turns (run whenever one of them ran).
      [queuedOperationsStep, () => measureQueuedOperations(context)],
      ["upnpc and CLI processes", () => measureProcesses(context)],
      ["listing", () => measureListing(context)],
      ["bulk", () => measureBulk(context, !findings.some((finding) => finding.includes("unmap() does not delete")))],
      ["memory", () => measureMemory(context)],
      ["NAT-PMP and PCP", () => measurePortControl(context)],
      ["managed mappings", () => measureManaged(context)],
      ["doctor", () => measureDoctor(context)],
      // Last: it reboots the router, and the other suites' daemon with it.
      ["recovery", async () => findings.push(...(await measureRecovery(context)))],
    ];
    const chosen = suites.filter(([name]) => only.length === 0 || name === queuedOperationsStep || only.some((word) => name.includes(word)));
    for (const [name, run] of chosen) {
      console.log(`${name}:`);
      await clearTable(context.service);
      await run();
    }
    const report = { machine, rows: context.recorder.rows, targets: evaluateTargets(context.recorder), findings };
    printReport(report);
    if (chosen.length === suites.length) await writeReport(report);
    else console.log("\nsome suites were left out: docs/benchmarks.md and bench/results/latest.json are left as they were");
  } finally {
    await daemon.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error("bench failed:", error);
  process.exitCode = 1;
});
