/** The IGD requests of the floor, as prepared bytes (see raw-client.ts), in porthole's argument order. */
import { prepareSoapRequest, sendRaw, sendRawOk, type PreparedRequest, type RawService } from "./raw-client.js";

export type RawProtocol = "TCP" | "UDP";

/** A mapping the floor adds: external port = internal port. */
export interface RawMapping {
  readonly port: number;
  readonly protocol: RawProtocol;
  readonly internalClient: string;
  readonly description?: string;
  readonly leaseSeconds?: number;
}

export function addRequest(service: RawService, mapping: RawMapping): PreparedRequest {
  return prepareSoapRequest(service, "AddPortMapping", [
    ["NewRemoteHost", ""],
    ["NewExternalPort", String(mapping.port)],
    ["NewProtocol", mapping.protocol],
    ["NewInternalPort", String(mapping.port)],
    ["NewInternalClient", mapping.internalClient],
    ["NewEnabled", "1"],
    ["NewPortMappingDescription", mapping.description ?? "porthole"],
    ["NewLeaseDuration", String(mapping.leaseSeconds ?? 3600)],
  ]);
}

export function deleteRequest(service: RawService, port: number, protocol: RawProtocol): PreparedRequest {
  return prepareSoapRequest(service, "DeletePortMapping", [
    ["NewRemoteHost", ""],
    ["NewExternalPort", String(port)],
    ["NewProtocol", protocol],
  ]);
}

export function externalIpRequest(service: RawService): PreparedRequest {
  return prepareSoapRequest(service, "GetExternalIPAddress", []);
}

export function specificEntryRequest(service: RawService, port: number, protocol: RawProtocol): PreparedRequest {
  return prepareSoapRequest(service, "GetSpecificPortMappingEntry", [
    ["NewRemoteHost", ""],
    ["NewExternalPort", String(port)],
    ["NewProtocol", protocol],
  ]);
}

export function genericEntryRequest(service: RawService, index: number): PreparedRequest {
  return prepareSoapRequest(service, "GetGenericPortMappingEntry", [["NewPortMappingIndex", String(index)]]);
}

/** GetListOfPortMappings over the whole port range, every client's entries, as many as allowed. */
export function listRequest(service: RawService, protocol: RawProtocol): PreparedRequest {
  return prepareSoapRequest(service, "GetListOfPortMappings", [
    ["NewStartPort", "0"],
    ["NewEndPort", "65535"],
    ["NewProtocol", protocol],
    ["NewManage", "1"],
    ["NewNumberOfPorts", "0"],
  ]);
}

/** Whether the gateway has an entry for this port (GetSpecificPortMappingEntry answers 200). */
export async function isMapped(service: RawService, port: number, protocol: RawProtocol): Promise<boolean> {
  return (await sendRaw(specificEntryRequest(service, port, protocol))).status === 200;
}

/**
 * Empties the mapping table between measurements: reads entry 0 and deletes it until there is
 * none. Not DeletePortMappingRange: miniupnpd 2.3.1 (nftables) dies on the range actions once the
 * range holds more than about 130 mappings.
 */
export async function clearTable(service: RawService): Promise<void> {
  for (;;) {
    const entry = await sendRaw(genericEntryRequest(service, 0));
    if (entry.status !== 200) return;
    const port = /<NewExternalPort>(\d+)</.exec(entry.text)?.[1];
    const protocol = /<NewProtocol>(TCP|UDP)</.exec(entry.text)?.[1] as RawProtocol | undefined;
    if (port === undefined || protocol === undefined) throw new Error(`cannot read the entry to delete: ${entry.text.slice(0, 400)}`);
    await sendRawOk(deleteRequest(service, Number(port), protocol));
  }
}

/** Adds mappings with prepared requests, one after the other (small routers serve one connection at a time). */
export async function addAll(requests: readonly PreparedRequest[]): Promise<void> {
  for (const request of requests) await sendRawOk(request);
}
