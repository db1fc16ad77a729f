/** RSS of a process holding 1,000 mappings: each client in its own child process. */
import { fileURLToPath } from "node:url";
import { runInLan } from "../../test/gateway/rig.js";
import { portBase, repetitions, type BenchContext } from "../context.js";
import type { MemoryReport } from "../memory-holder.js";
import { clearTable } from "../raw-igd.js";
import { tableSize } from "./listing.js";

export const memorySubjects = {
  porthole: "porthole: Gateway + 1,000 PortMapping",
  natPortMapper: "nat-port-mapper: gateway + 1,000 map() (auto-refresh on)",
} as const;

const holderPath = fileURLToPath(new URL("../memory-holder.js", import.meta.url));

async function hold(context: BenchContext, client: "porthole" | "nat-port-mapper"): Promise<MemoryReport> {
  const args = ["--expose-gc", holderPath, client, context.daemon.descriptionUrl, context.lanAddress, String(tableSize), String(portBase.bulk)];
  const result = await runInLan(process.execPath, args, { timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`memory holder for ${client} failed (exit ${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as MemoryReport;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export async function measureMemory(context: BenchContext): Promise<void> {
  for (const [client, subject] of [["porthole", memorySubjects.porthole], ["nat-port-mapper", memorySubjects.natPortMapper]] as const) {
    const holding: number[] = [];
    const before: number[] = [];
    const heap: number[] = [];
    for (let run = 0; run < repetitions.bulk; run++) {
      await clearTable(context.service);
      const report = await hold(context, client);
      holding.push(report.rssHoldingMb);
      before.push(report.rssBeforeMb);
      heap.push(report.heapUsedMb);
    }
    const note = `RSS after a full GC; ${mean(before).toFixed(1)} MB before the first mapping; JS heap in use ${mean(heap).toFixed(1)} MB`;
    context.recorder.record("memory", subject, holding, note, "MB");
  }
  await clearTable(context.service);
}
