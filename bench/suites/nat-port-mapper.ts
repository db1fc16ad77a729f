/**
 * The most used npm peer, @achingbrain/nat-port-mapper 4: its UPnP client (IGD:2 only). `map`
 * sends AddAnyPortMapping and, because our LAN address is private, then GetExternalIPAddress.
 */
import { upnpNat, type Gateway, type UPnPNAT } from "@achingbrain/nat-port-mapper";
import { portBase, repetitions, type BenchContext } from "../context.js";
import { queueOperations } from "../operations.js";
import { isMapped } from "../raw-igd.js";
import { discoveryPause, repeat } from "../timing.js";

export const natPortMapperSubjects = {
  find: "nat-port-mapper findGateways(), first",
  remembered: "nat-port-mapper getGateway(url)",
  add: "nat-port-mapper map()",
  externalIp: "nat-port-mapper externalIp()",
  delete: "nat-port-mapper unmap()",
  cycle: "nat-port-mapper findGateways() + 3 calls",
} as const;

const searchBudgetMs = 5_000;

/**
 * The first IPv4 gateway its discovery yields; leaving the loop stops the search. It searches on
 * IPv6 too, and its IPv6 gateway maps with AddPinhole, which miniupnpd refuses here (402), so a
 * user on this network would have to skip it the same way.
 */
export async function firstGateway(client: UPnPNAT): Promise<Gateway> {
  for await (const gateway of client.findGateways({ signal: AbortSignal.timeout(searchBudgetMs) })) {
    if (gateway.family === "IPv4") return gateway;
  }
  throw new Error(`nat-port-mapper found no gateway within ${searchBudgetMs} ms`);
}

/** A nat-port-mapper client that keeps no refresh timers (they would outlive the measurement). */
export function natPortMapperClient(): UPnPNAT {
  return upnpNat({ autoRefresh: false });
}

/** Measures the peer; resolves with whether its unmap() really deletes (the bulk suite needs to know). */
export async function measureNatPortMapper(context: BenchContext): Promise<boolean> {
  const { daemon, lanAddress, recorder } = context;
  const client = natPortMapperClient();
  const find = async (): Promise<void> => {
    await (await firstGateway(client)).stop();
  };
  recorder.record("discover-cold", natPortMapperSubjects.find, await repeat(repetitions.quick, find, discoveryPause), "SSDP (IGD:2) + description, until the first gateway is yielded");
  const remembered = async (): Promise<void> => {
    await (await client.getGateway(new URL(daemon.descriptionUrl))).stop();
  };
  recorder.record("discover-remembered", natPortMapperSubjects.remembered, await repeat(repetitions.quick, remembered), "description of a known URL");

  const gateway = await client.getGateway(new URL(daemon.descriptionUrl));
  const unmapDeletes = !(await unmapLeavesMapping(context, gateway));
  const unmapNote = !unmapDeletes
    ? "DOES NOT DELETE: sends an empty NewProtocol, miniupnpd refuses it and unmap() swallows the error"
    : "DeletePortMapping";
  queueOperations(
    context,
    {
      add: [{ subject: natPortMapperSubjects.add, run: (port) => gateway.map(port, lanAddress, { protocol: "udp" }), note: "AddAnyPortMapping + GetExternalIPAddress" }],
      externalIp: { subject: natPortMapperSubjects.externalIp, run: () => gateway.externalIp() },
      delete: { subject: natPortMapperSubjects.delete, run: (port) => gateway.unmap(port), note: unmapNote },
    },
    portBase.natPortMapper,
    () => gateway.stop(),
  );

  const cycle = async (index: number): Promise<void> => {
    const found = await firstGateway(client);
    await found.map(portBase.natPortMapper + 500 + index, lanAddress, { protocol: "udp" });
    await found.externalIp();
    await found.unmap(portBase.natPortMapper + 500 + index);
    await found.stop();
  };
  recorder.record("cycle", natPortMapperSubjects.cycle, await repeat(repetitions.quick, cycle, discoveryPause));
  return unmapDeletes;
}

/** Checks, once, whether unmap() really removes what map() made. */
async function unmapLeavesMapping(context: BenchContext, gateway: Gateway): Promise<boolean> {
  const port = portBase.natPortMapper + 900;
  await gateway.map(port, context.lanAddress, { protocol: "udp" });
  if (!(await isMapped(context.service, port, "UDP"))) throw new Error("nat-port-mapper map() did not create the mapping");
  await gateway.unmap(port);
  return isMapped(context.service, port, "UDP");
}
