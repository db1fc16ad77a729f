/** Adding then deleting 1,000 mappings, one after the other. */
import { gatewayFromUrl } from "../../src/index.js";
import { portBase, repetitions, type BenchContext } from "../context.js";
import { addAll, addRequest, clearTable, deleteRequest } from "../raw-igd.js";
import { repeat, timeIt } from "../timing.js";
import { natPortMapperClient } from "./nat-port-mapper.js";
import { tableSize } from "./listing.js";

export const bulkSubjects = {
  floor: "floor: 1,000 bare AddPortMapping + 1,000 bare DeletePortMapping",
  porthole: "porthole (verify: default)",
  portholeUnverified: "porthole (verify: false)",
  natPortMapper: "nat-port-mapper map() + unmap()",
} as const;

export async function measureBulk(context: BenchContext, natPortMapperDeletes: boolean): Promise<void> {
  const { daemon, service, lanAddress, recorder } = context;
  const ports = Array.from({ length: tableSize }, (_, index) => portBase.bulk + index);
  const adds = ports.map((port) => addRequest(service, { port, protocol: "UDP", internalClient: lanAddress }));
  const deletes = ports.map((port) => deleteRequest(service, port, "UDP"));
  const count = repetitions.bulk;

  await clearTable(service);
  recorder.record("bulk", bulkSubjects.floor, await repeat(count, async () => {
    await addAll(adds);
    await addAll(deletes);
  }, { warmup: 0 }));

  const gateway = await gatewayFromUrl(daemon.descriptionUrl);
  for (const [subject, verify] of [[bulkSubjects.porthole, undefined], [bulkSubjects.portholeUnverified, false]] as const) {
    recorder.record("bulk", subject, await repeat(count, async () => {
      for (const port of ports) await gateway.addPortMapping({ internalPort: port, protocol: "UDP", ...(verify === undefined ? {} : { verify }) });
      for (const port of ports) await gateway.deletePortMapping({ externalPort: port, protocol: "UDP" });
    }, { warmup: 0 }));
  }

  const peer = await natPortMapperClient().getGateway(new URL(daemon.descriptionUrl));
  const samples: number[] = [];
  for (let run = 0; run < count; run++) {
    // Untimed: whatever a failing unmap() left behind goes before the next run.
    await clearTable(service);
    samples.push(await timeIt(async () => {
      for (const port of ports) await peer.map(port, lanAddress, { protocol: "udp" });
      for (const port of ports) await peer.unmap(port);
    }));
  }
  recorder.record("bulk", bulkSubjects.natPortMapper, samples, natPortMapperDeletes ? "AddAnyPortMapping + GetExternalIPAddress, DeletePortMapping" : "its unmap() requests fail (empty NewProtocol): the mappings stay");
  await peer.stop();
  await clearTable(service);
}
