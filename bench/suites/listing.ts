/** Listing a table of 1,000 mappings, each method against the same raw requests. */
import { gatewayFromUrl } from "../../src/index.js";
import { runInLan } from "../../test/gateway/rig.js";
import { portBase, repetitions, type BenchContext } from "../context.js";
import { sendRaw, sendRawOk, type RawService } from "../raw-client.js";
import { addAll, addRequest, clearTable, genericEntryRequest, listRequest } from "../raw-igd.js";
import { repeat } from "../timing.js";

export const tableSize = 1_000;

/**
 * miniupnpd 2.3.1 (nftables) dies while answering GetListOfPortMappings once the range holds more
 * than about 130 mappings (a ~48 KB listing): the connection closes without a reply and the
 * daemon is gone. So that method is measured on the largest round table that survives.
 */
export const listMethodTableSize = 100;

export const listingSubjects = {
  floorGeneric: "floor: bare POSTs, index 0 until the fault",
  floorList: "floor: bare POSTs, TCP then UDP",
  generic: "porthole listPortMappings({ method: \"generic\" })",
  list: "porthole listPortMappings({ method: \"list\" })",
  upnpcGeneric: "upnpc -u URL -l",
  upnpcList: "upnpc -u URL -L",
} as const;

/** The raw walk: one GetGenericPortMappingEntry per index until the gateway answers with a fault. */
async function rawWalk(service: RawService): Promise<number> {
  let index = 0;
  while ((await sendRaw(genericEntryRequest(service, index))).status === 200) index++;
  return index;
}

async function rawList(service: RawService): Promise<number> {
  let entries = 0;
  for (const protocol of ["TCP", "UDP"] as const) {
    const { text } = await sendRawOk(listRequest(service, protocol));
    // The listing travels escaped (or in CDATA) inside the SOAP reply: count start tags either way.
    entries += (text.match(/(?:<|&lt;)p:PortMappingEntry(?:>|&gt;)/g) ?? []).length;
  }
  return entries;
}

function expectCount(what: string, count: number, expected: number): void {
  if (count !== expected) throw new Error(`${what} saw ${count} mappings, not ${expected}`);
}

/** Empties the table and fills it with `count` UDP mappings, each with its own description. */
async function fillTable(context: BenchContext, count: number): Promise<number[]> {
  const { service, lanAddress } = context;
  await clearTable(service);
  const ports = Array.from({ length: count }, (_, index) => portBase.bulk + index);
  await addAll(ports.map((port) => addRequest(service, { port, protocol: "UDP", internalClient: lanAddress, description: `bench ${port}` })));
  return ports;
}

export async function measureListing(context: BenchContext): Promise<void> {
  const { daemon, service, recorder } = context;
  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  const upnpc = (option: string, lastPort: number) => async (): Promise<void> => {
    const result = await runInLan("upnpc", ["-u", daemon.descriptionUrl, option], { timeoutMs: 60_000 });
    if (!result.stdout.includes(`bench ${lastPort}`)) throw new Error(`upnpc ${option} did not list every mapping:\n${result.stdout.slice(-500)}`);
  };

  const ports = await fillTable(context, tableSize);
  expectCount("the raw walk", await rawWalk(service), tableSize);
  expectCount("porthole generic", (await gateway.listPortMappings({ method: "generic" })).entries.length, tableSize);
  const count = repetitions.thousand;
  recorder.record("list-generic", listingSubjects.floorGeneric, await repeat(count, () => rawWalk(service), { warmup: 0 }), `${tableSize + 1} requests`);
  recorder.record("list-generic", listingSubjects.generic, await repeat(count, () => gateway.listPortMappings({ method: "generic" }), { warmup: 0 }));
  recorder.record("list-generic", listingSubjects.upnpcGeneric, await repeat(count, upnpc("-l", ports.at(-1)!), { warmup: 0 }), "process; prints every entry");

  const fewer = await fillTable(context, listMethodTableSize);
  expectCount("the raw GetListOfPortMappings", await rawList(service), listMethodTableSize);
  expectCount("porthole list", (await gateway.listPortMappings({ method: "list" })).entries.length, listMethodTableSize);
  recorder.record("list-list", listingSubjects.floorList, await repeat(repetitions.quick, () => rawList(service), { warmup: 1 }), "2 requests");
  recorder.record("list-list", listingSubjects.list, await repeat(repetitions.quick, () => gateway.listPortMappings({ method: "list" }), { warmup: 1 }), "2 requests + parsing the listing");
  recorder.record("list-list", listingSubjects.upnpcList, await repeat(repetitions.process, upnpc("-L", fewer.at(-1)!), { warmup: 0 }), "process; prints every entry");
  await clearTable(service);
}
