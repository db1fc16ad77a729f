/**
 * 1,000 managed mappings on the virtual gateway, held for 10 minutes of simulated time: CPU time
 * and memory of the manager (the gateway runs in a worker thread on the same simulated clock), and
 * the busiest 100 ms the gateway saw, which shows whether renewals and checks are spread.
 */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { gatewayFromUrl, MappingManager, UpnpPortMapper } from "../../src/index.js";
import { ManualClock } from "../../test/unit/support/manual-clock.js";
import type { BenchContext } from "../context.js";
import type { GatewayWorkerMessage } from "../managed/gateway-worker.js";

const megabyte = 1024 * 1024;

export const managedSubjects = {
  cpu: "porthole MappingManager: CPU for 10 simulated minutes",
  rss: "porthole MappingManager: RSS holding 1,000 ports",
  busiest: "porthole MappingManager: requests in the busiest 100 ms",
} as const;

function settledMemory(): { rssMb: number; heapUsedMb: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: Math.round((rss / megabyte) * 10) / 10, heapUsedMb: Math.round((heapUsed / megabyte) * 10) / 10 };
}

/** 1,000 ports with a 2-minute lease and 1-minute checks, held for 10 simulated minutes. */
async function holdThousand() {
  const shared = new Float64Array(new SharedArrayBuffer(8));
  const clock = new ManualClock(1_700_000_000_000, shared);
  const worker = new Worker(new URL("../managed/gateway-worker.js", import.meta.url), { workerData: { clock: shared.buffer } });
  const next = async (): Promise<GatewayWorkerMessage> => (await once(worker, "message"))[0] as GatewayWorkerMessage;
  const started = await next();
  if (started.type !== "started") throw new Error("the gateway worker did not start");
  const manager = new MappingManager({
    clock,
    findMapper: async (signal) => new UpnpPortMapper(await gatewayFromUrl(started.descriptionUrl, { signal }), { now: clock.now }),
  });
  const before = settledMemory();
  const cpuBefore = process.cpuUsage();
  const workerBefore = worker.performance.eventLoopUtilization();
  const wallBefore = performance.now();
  const ports = Array.from({ length: 1000 }, (_, index) => manager.openPort({ protocol: "UDP", internalPort: 20_000 + index, leaseSeconds: 120, checkIntervalMs: 60_000 }));
  let renewals = 0;
  for (const port of ports) port.on("renewed", () => renewals++);
  for (let second = 0; second < 600; second++) await clock.advance(1000);
  const cpu = process.cpuUsage(cpuBefore);
  const workerActiveMs = worker.performance.eventLoopUtilization(workerBefore).active;
  const wallMs = performance.now() - wallBefore;
  const holding = settledMemory();
  const mappedAtEnd = ports.filter((port) => port.state === "mapped").length;
  worker.postMessage("report");
  const report = await next();
  const closing = manager.close();
  await clock.advance(60_000);
  await closing;
  worker.postMessage("close");
  await once(worker, "exit");
  if (report.type !== "report") throw new Error("the gateway worker did not report");
  const processCpuMs = (cpu.user + cpu.system) / 1000;
  return {
    ports: ports.length,
    simulatedMinutes: 10,
    mappedAtEnd,
    gatewayMappingsAtEnd: report.mappings,
    renewals,
    gatewayRequests: report.requests,
    busiestRequestsIn100ms: report.busiest100ms,
    wallMs: Math.round(wallMs),
    processCpuMs: Math.round(processCpuMs),
    gatewayWorkerActiveMs: Math.round(workerActiveMs),
    managerCpuMsApprox: Math.round(processCpuMs - workerActiveMs),
    rssBeforeMb: before.rssMb,
    rssHoldingMb: holding.rssMb,
    mainHeapBeforeMb: before.heapUsedMb,
    mainHeapHoldingMb: holding.heapUsedMb,
  };
}


export async function measureManaged(context: BenchContext): Promise<void> {
  const held = await holdThousand();
  const note = `${held.ports} ports, 2-min lease, 1-min checks; ${held.renewals} renewals, ${held.gatewayRequests} requests; ${held.mappedAtEnd} mapped at the end`;
  context.recorder.record("managed-1000", managedSubjects.cpu, [held.managerCpuMsApprox], `${note}; process CPU ${held.processCpuMs} ms less the gateway worker's ${held.gatewayWorkerActiveMs} ms`);
  context.recorder.record("managed-1000", managedSubjects.rss, [held.rssHoldingMb], `whole process, gateway worker included (${held.rssBeforeMb} MB before); the manager's JS heap ${held.mainHeapBeforeMb} → ${held.mainHeapHoldingMb} MB`, "MB");
  context.recorder.record("managed-1000", managedSubjects.busiest, [held.busiestRequestsIn100ms], "control requests the gateway answered in its busiest 100 ms of simulated time", "count");
}
