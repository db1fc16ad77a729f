/**
 * Measures managed mappings on the virtual gateway (no router, no root):
 * - recovery after a gateway reboot, from the reboot (the virtual gateway answers again at once)
 *   to `restored`, with the reboot announced by ssdp:alive and unannounced (found by a check);
 * - 1,000 managed mappings held for 10 minutes of simulated time: CPU time and memory of the
 *   manager (the gateway runs in a worker thread) and the busiest 100 ms the gateway saw.
 *
 *   node --expose-gc build/bench/managed/managed-bench.js   (prints one JSON object)
 */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { findGateway, gatewayFromUrl, MappingManager, startVirtualGateway, UpnpPortMapper } from "../../src/index.js";
import { delay } from "../../src/util/deadline.js";
import { ManualClock } from "../../test/unit/support/manual-clock.js";
import { freeUdpPort } from "../../test/unit/support/udp-inbox.js";
import type { GatewayWorkerMessage } from "./gateway-worker.js";

const megabyte = 1024 * 1024;

/** Milliseconds from a reboot of the virtual gateway to the mapping being back. */
async function recoveryAfterReboot(announce: boolean, checkIntervalMs: number): Promise<number> {
  const listenPort = await freeUdpPort();
  const gateway = await startVirtualGateway({ announceTo: [{ address: "127.0.0.1", port: listenPort }] });
  const announcements = announce ? { address: "127.0.0.1", port: listenPort } : undefined;
  const manager = new MappingManager({
    findMapper: async (signal) =>
      new UpnpPortMapper(await findGateway({ multicast: false, unicastTargets: [gateway.ssdpAddress], listenMs: 500, signal }), { announcements }),
  });
  try {
    const port = manager.openPort({ protocol: "UDP", internalPort: 45_000, checkIntervalMs });
    await port.ready();
    // Anywhere in the check cycle, as a real reboot would fall.
    await delay(Math.random() * checkIntervalMs);
    const restored = once(port, "restored");
    const rebootedAt = performance.now();
    await gateway.reboot({ announce });
    await restored;
    return performance.now() - rebootedAt;
  } finally {
    await manager.close();
    await gateway.close();
  }
}

function summary(values: readonly number[]): { median: number; max: number; runs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)]!), max: Math.round(sorted.at(-1)!), runs: values.length };
}

function settledMemory(): { rssMb: number; heapUsedMb: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: Math.round((rss / megabyte) * 10) / 10, heapUsedMb: Math.round((heapUsed / megabyte) * 10) / 10 };
}

/** 1,000 ports with a 2-minute lease and 1-minute checks, held for 10 simulated minutes. */
async function holdThousand(): Promise<Record<string, unknown>> {
  const shared = new Float64Array(new SharedArrayBuffer(8));
  const clock = new ManualClock(1_700_000_000_000, shared);
  const worker = new Worker(new URL("./gateway-worker.js", import.meta.url), { workerData: { clock: shared.buffer } });
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

async function main(): Promise<void> {
  const announced: number[] = [];
  for (let run = 0; run < 10; run++) announced.push(await recoveryAfterReboot(true, 10_000));
  const checkIntervalMs = 3000;
  const unannounced: number[] = [];
  for (let run = 0; run < 10; run++) unannounced.push(await recoveryAfterReboot(false, checkIntervalMs));
  const result = {
    recoveryAfterRebootMs: { announced: summary(announced), unannounced: { ...summary(unannounced), checkIntervalMs } },
    holdThousandForTenMinutes: await holdThousand(),
  };
  console.log(JSON.stringify(result, null, 2));
}

await main();
