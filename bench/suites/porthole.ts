/** porthole's idiomatic API: findGateway, gatewayFromUrl and the Gateway operations. */
import { findGateway, gatewayFromUrl, type WanConnection } from "../../src/index.js";
import { portBase, repetitions, type BenchContext } from "../context.js";
import { queueOperations } from "../operations.js";
import { discoveryPause, repeat } from "../timing.js";

export const portholeSubjects = {
  find: "porthole findGateway()",
  remembered: "porthole gatewayFromUrl()",
  add: "porthole addPortMapping() (verify: default)",
  addUnverified: "porthole addPortMapping({ verify: false })",
  externalIp: "porthole getExternalAddress()",
  delete: "porthole deletePortMapping()",
  cycle: "porthole findGateway() + 3 calls",
  cycleRemembered: "porthole gatewayFromUrl() + 3 calls",
} as const;

export async function measurePorthole(context: BenchContext): Promise<void> {
  const { rig, daemon, recorder } = context;
  const find = (): Promise<WanConnection> => findGateway({ multicastInterface: rig.lan.ifname, listenMs: 2_000 });
  const remembered = (): Promise<WanConnection> => gatewayFromUrl(daemon.descriptionUrl);

  recorder.record("discover-cold", portholeSubjects.find, await repeat(repetitions.quick, find, discoveryPause), "SSDP + description + GetStatusInfo/GetExternalIPAddress (parallel), until a connected gateway");
  recorder.record("discover-remembered", portholeSubjects.remembered, await repeat(repetitions.quick, remembered), "description + status of a known URL, no SSDP");

  const gateway = await remembered();
  const add = (port: number, verify?: boolean) => gateway.addPortMapping({ internalPort: port, protocol: "UDP", description: "porthole", ...(verify === undefined ? {} : { verify }) });
  queueOperations(
    context,
    {
      add: [
        { subject: portholeSubjects.add, run: (port) => add(port), note: "AddPortMapping + GetSpecificPortMappingEntry read-back" },
        { subject: portholeSubjects.addUnverified, run: (port) => add(port, false), note: "AddPortMapping only" },
      ],
      externalIp: { subject: portholeSubjects.externalIp, run: () => gateway.getExternalAddress() },
      delete: { subject: portholeSubjects.delete, run: (port) => gateway.deletePortMapping({ externalPort: port, protocol: "UDP" }) },
    },
    portBase.porthole,
  );

  const cycleWith = (obtain: () => Promise<WanConnection>, firstPort: number) => async (index: number) => {
    const found = await obtain();
    await found.addPortMapping({ internalPort: firstPort + index, protocol: "UDP" });
    await found.getExternalAddress();
    await found.deletePortMapping({ externalPort: firstPort + index, protocol: "UDP" });
  };
  recorder.record("cycle", portholeSubjects.cycle, await repeat(repetitions.quick, cycleWith(find, portBase.porthole + 500), discoveryPause), "add with the default verify read-back");
  recorder.record("cycle", portholeSubjects.cycleRemembered, await repeat(repetitions.quick, cycleWith(remembered, portBase.porthole + 700)));
}
