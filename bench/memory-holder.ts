/**
 * Child process of the memory measurement: obtains the gateway with one client, adds `count`
 * mappings and keeps what the client hands back, then prints its RSS (after a full GC) as JSON.
 *
 *   node --expose-gc build/bench/memory-holder.js <porthole|nat-port-mapper> <description URL> <LAN address> <count> <first port>
 */
import { upnpNat } from "@achingbrain/nat-port-mapper";
import { gatewayFromUrl } from "../src/index.js";

/** What the parent reads from stdout. */
export interface MemoryReport {
  /** Megabytes, with the client loaded and the gateway obtained, before any mapping. */
  readonly rssBeforeMb: number;
  /** Megabytes while holding every mapping. */
  readonly rssHoldingMb: number;
  readonly heapUsedMb: number;
}

const megabyte = 1024 * 1024;

function settledRss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / megabyte;
}

/** What a client holds, its RSS before the first mapping, and how to let the process exit. */
type Holding = [rssBeforeMb: number, held: unknown[], release: () => Promise<void>];

async function holdWithPorthole(url: string, ports: readonly number[]): Promise<Holding> {
  const gateway = await gatewayFromUrl(url);
  const before = settledRss();
  const held: unknown[] = [];
  for (const port of ports) held.push(await gateway.addPortMapping({ internalPort: port, protocol: "UDP" }));
  return [before, held, async () => {}];
}

/** With its defaults: each mapping keeps a refresh timer, which is how this client holds a mapping. */
async function holdWithNatPortMapper(url: string, lanAddress: string, ports: readonly number[]): Promise<Holding> {
  const gateway = await upnpNat().getGateway(new URL(url));
  const before = settledRss();
  const held: unknown[] = [gateway];
  for (const port of ports) held.push(await gateway.map(port, lanAddress, { protocol: "udp" }));
  // stop() clears the refresh timers, so the process can exit; the parent empties the table.
  return [before, held, () => gateway.stop()];
}

async function main([client, url, lanAddress, countText, firstPortText]: string[]): Promise<void> {
  const ports = Array.from({ length: Number(countText) }, (_, index) => Number(firstPortText) + index);
  const [rssBeforeMb, held, release] = client === "porthole" ? await holdWithPorthole(url!, ports) : await holdWithNatPortMapper(url!, lanAddress!, ports);
  const report: MemoryReport = { rssBeforeMb, rssHoldingMb: settledRss(), heapUsedMb: process.memoryUsage().heapUsed / megabyte };
  if (held.length < ports.length) throw new Error("mappings were lost");
  console.log(JSON.stringify(report));
  await release();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
