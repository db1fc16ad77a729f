import { summarize, type Summary } from "./stats.js";

/** What is measured; the table is grouped by these, in this order. */
export const metrics = {
  "discover-cold": "cold discovery until a gateway is usable",
  "discover-remembered": "discovery with a remembered gateway",
  add: "add mapping",
  "external-ip": "external address",
  delete: "delete mapping",
  cycle: "full cycle: discover, add, external address, delete",
  "list-generic": "list 1,000 mappings: GetGenericPortMappingEntry walk",
  "list-list": "list 100 mappings: GetListOfPortMappings (miniupnpd 2.3.1 dies on it above ~130)",
  bulk: "add then delete 1,000 mappings",
  "cli-ip": "external address as a whole process",
  "cli-map": "add a mapping as a whole process",
  memory: "RSS of a process holding 1,000 mappings",
  "pcp-map": "cold map over PCP (a new mapper, or the protocol search, then map), and auto, which PCP answers first",
  "natpmp-map": "cold map over NAT-PMP (a new mapper, or the protocol search, then map), and nat-port-mapper's NAT-PMP client",
  recovery: "recovery after a router reboot, from the router answering again to the mapping being back",
  "managed-1000": "1,000 managed mappings held for 10 simulated minutes on the virtual gateway",
  doctor: "the whole diagnosis (porthole doctor), in each of the router's set-ups",
} as const;

export type MetricId = keyof typeof metrics;

/** One client (or the floor) on one metric. */
export interface Row {
  readonly metric: MetricId;
  readonly subject: string;
  readonly unit: "ms" | "MB" | "count";
  /** Absent when the row was skipped. */
  readonly summary?: Summary;
  readonly samples?: readonly number[];
  /** What the row measures exactly, or why it is skipped or odd. */
  readonly note?: string;
  readonly skipped?: boolean;
}

/** Collects the rows of a run, in the order they were measured. */
export class Recorder {
  readonly rows: Row[] = [];

  record(metric: MetricId, subject: string, samples: readonly number[], note?: string, unit: Row["unit"] = "ms"): void {
    const summary = summarize(samples);
    this.rows.push({ metric, subject, unit, summary, samples, ...(note === undefined ? {} : { note }) });
    console.log(`  ${metric.padEnd(19)} ${subject.padEnd(44)} median ${summary.median.toFixed(2)} ${unit} (p10 ${summary.p10.toFixed(2)}, p90 ${summary.p90.toFixed(2)}, n=${summary.n})`);
  }

  skip(metric: MetricId, subject: string, why: string): void {
    this.rows.push({ metric, subject, unit: "ms", note: why, skipped: true });
    console.log(`  ${metric.padEnd(19)} ${subject.padEnd(44)} skipped: ${why}`);
  }

  /** The median of a recorded row; undefined when it was skipped or not measured. */
  median(metric: MetricId, subject: string): number | undefined {
    return this.rows.find((row) => row.metric === metric && row.subject === subject)?.summary?.median;
  }
}
