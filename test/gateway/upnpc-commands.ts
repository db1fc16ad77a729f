/**
 * The reference client's view of the gateway, for the tests to compare porthole against: `upnpc`
 * (miniupnpc 2.2.4) adding, deleting and listing mappings, with its printed output parsed.
 */
import { upnpc } from "./namespace-commands.js";
import type { RigTopology } from "./rig-topology.js";

/** One line of `upnpc -l`, e.g. ` 1 UDP  7001->192.0.2.2:7000  'game' '' 604800`. */
export interface UpnpcMapping {
  readonly protocol: "TCP" | "UDP";
  readonly externalPort: number;
  readonly internalClient: string;
  readonly internalPort: number;
  /**
   * As upnpc prints it: the text as it travelled in the SOAP reply, XML escapes included
   * (miniupnpc's minixml does not decode entities), so `<` shows as `&lt;`.
   */
  readonly description: string;
  readonly remoteHost: string;
  readonly leaseSeconds: number;
}

// The description is greedy and may hold quotes; the remote host is an address or empty.
const listingLine = /^\s*\d+\s+(TCP|UDP)\s+(\d+)->([\d.]+):(\d+)\s+'(.*)'\s+'([^']*)'\s+(\d+)\s*$/;

/** The mapping lines of `upnpc -l` output. */
export function parseUpnpcListing(output: string): UpnpcMapping[] {
  return output.split("\n").flatMap((line) => {
    const match = listingLine.exec(line);
    if (match === null) return [];
    const [, protocol, externalPort, internalClient, internalPort, description, remoteHost, lease] = match;
    return [
      {
        protocol: protocol as "TCP" | "UDP",
        externalPort: Number(externalPort),
        internalClient: internalClient!,
        internalPort: Number(internalPort),
        description: description!,
        remoteHost: remoteHost!,
        leaseSeconds: Number(lease),
      },
    ];
  });
}

/** The gateway's table as `upnpc -l` lists it (GetGenericPortMappingEntry from index 0). */
export async function listWithUpnpc(rig: RigTopology, descriptionUrl: string): Promise<UpnpcMapping[]> {
  return parseUpnpcListing(await upnpc(rig, ["-u", descriptionUrl, "-l"]));
}

/** What a description looks like in `upnpc -l` output: escaped as XML text (`&`, `<`, `>`). */
export function asUpnpcPrintsIt(description: string): string {
  return description.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A mapping as `upnpc -a` makes it. */
export interface UpnpcAddRequest {
  internalClient: string;
  internalPort: number;
  externalPort: number;
  protocol: "TCP" | "UDP";
  /** Seconds; upnpc's own default (0) when omitted. */
  leaseSeconds?: number;
}

/**
 * Adds a mapping with `upnpc -a` and returns the UPnP error code it reports: 0 for success.
 * upnpc exits with 0 either way, so the code is read from its output.
 */
export async function addWithUpnpc(rig: RigTopology, descriptionUrl: string, request: UpnpcAddRequest): Promise<number> {
  const args = [
    "-u",
    descriptionUrl,
    "-a",
    request.internalClient,
    String(request.internalPort),
    String(request.externalPort),
    request.protocol,
    ...(request.leaseSeconds === undefined ? [] : [String(request.leaseSeconds)]),
  ];
  const output = await upnpc(rig, args);
  if (/ is redirected to internal /.test(output)) return 0;
  const failure = /failed with code (\d+)/.exec(output);
  if (failure === null) throw new Error(`cannot read the outcome of upnpc ${args.join(" ")}:\n${output}`);
  return Number(failure[1]);
}

/** Deletes a mapping with `upnpc -d` and returns the code UPNP_DeletePortMapping() gave: 0 for success. */
export async function deleteWithUpnpc(rig: RigTopology, descriptionUrl: string, externalPort: number, protocol: "TCP" | "UDP"): Promise<number> {
  const output = await upnpc(rig, ["-u", descriptionUrl, "-d", String(externalPort), protocol]);
  const outcome = /UPNP_DeletePortMapping\(\) returned : (-?\d+)/.exec(output);
  if (outcome === null) throw new Error(`cannot read the outcome of upnpc -d ${externalPort} ${protocol}:\n${output}`);
  return Number(outcome[1]);
}
