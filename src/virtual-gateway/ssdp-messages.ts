import { allDevices, type DeviceModel } from "./device-model.js";
import { serverHeader } from "./http-reply.js";
import type { GatewayQuirks } from "./quirks.js";

/** One search result: the ST and USN of a reply (UDA 1.1 section 1.3.3). */
export interface SearchMatch {
  readonly st: string;
  readonly usn: string;
}

/**
 * The search target of an M-SEARCH, or undefined for anything else arriving on the port.
 * MAN and MX are not checked: miniupnpd does not either, and answers at once whatever the MX.
 */
export function parseSearchTarget(message: string): string | undefined {
  const lines = message.split(/\r?\n/);
  if (!/^M-SEARCH\s+\*\s+HTTP\/1\.[01]\s*$/i.test(lines[0] ?? "")) return undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toUpperCase() === "ST") {
      const target = line.slice(colon + 1).trim();
      return target === "" ? undefined : target;
    }
  }
  return undefined;
}

/** Everything the gateway announces: the root device marker, each device's UDN and type, each service type. */
function announcedTargets(root: DeviceModel): Array<{ st: string; udn: string }> {
  const targets = [{ st: "upnp:rootdevice", udn: root.udn }];
  for (const device of allDevices(root)) {
    targets.push({ st: device.udn, udn: device.udn }, { st: device.advertisedType, udn: device.udn });
    for (const service of device.services) targets.push({ st: service.advertisedType, udn: device.udn });
  }
  return targets;
}

const usnOf = (st: string, udn: string): string => (st === udn ? udn : `${udn}::${st}`);

const versionedType = /^(urn:[^:]+:(?:device|service):[^:]+):(\d+)$/;

/**
 * A device or service of version N also answers searches for versions below N, echoing the
 * version searched for (UDA 1.1 section 1.3.2): an IGD:2 answers an IGD:1 search.
 */
function matches(announced: string, searchTarget: string): boolean {
  if (announced === searchTarget) return true;
  const have = versionedType.exec(announced);
  const want = versionedType.exec(searchTarget);
  return !!have && !!want && have[1] === want[1] && Number(want[2]) <= Number(have[2]);
}

/** The replies owed to a search for `searchTarget`, after the discovery quirks. */
export function searchMatches(searchTarget: string, root: DeviceModel, quirks: Readonly<GatewayQuirks>): SearchMatch[] {
  const all = searchTarget === "ssdp:all";
  if (quirks.answerOnlyRootDevice && searchTarget !== "upnp:rootdevice") return [];
  if (quirks.answerOnlySsdpAll && !all) return [];
  if (quirks.ignoreSsdpAll && all) return [];
  return announcedTargets(root)
    .filter((target) => all || matches(target.st, searchTarget))
    .map(({ st, udn }) => {
      const replyTarget = all ? st : searchTarget;
      return { st: replyTarget, usn: usnOf(replyTarget, udn) };
    });
}

/** What identifies this boot of the gateway in its SSDP messages (UDA 1.1 §1.2.2). */
export interface SsdpIdentity {
  /** URL of the root device description. */
  readonly location: string;
  /** `BOOTID.UPNP.ORG`: goes up each time the device (re)starts. */
  readonly bootId: number;
}

/** The description has never changed, so the configuration number stays 1. */
const configId = 1;

/** A search reply as miniupnpd sends it. */
export function searchReply(match: SearchMatch, identity: SsdpIdentity): string {
  return [
    "HTTP/1.1 200 OK",
    "CACHE-CONTROL: max-age=120",
    `ST: ${match.st}`,
    `USN: ${match.usn}`,
    "EXT:",
    `SERVER: ${serverHeader}`,
    `LOCATION: ${identity.location}`,
    `BOOTID.UPNP.ORG: ${identity.bootId}`,
    `CONFIGID.UPNP.ORG: ${configId}`,
    "",
    "",
  ].join("\r\n");
}

/**
 * The NOTIFY messages a device multicasts when it comes up (`ssdp:alive`) or leaves
 * (`ssdp:byebye`): one per root marker, device and service (UDA 1.1 §1.2.2, §1.2.3).
 */
export function notifyMessages(kind: "ssdp:alive" | "ssdp:byebye", root: DeviceModel, identity: SsdpIdentity): string[] {
  return announcedTargets(root).map(({ st, udn }) =>
    [
      "NOTIFY * HTTP/1.1",
      "HOST: 239.255.255.250:1900",
      ...(kind === "ssdp:alive" ? ["CACHE-CONTROL: max-age=120", `LOCATION: ${identity.location}`, `SERVER: ${serverHeader}`] : []),
      `NT: ${st}`,
      `NTS: ${kind}`,
      `USN: ${usnOf(st, udn)}`,
      `BOOTID.UPNP.ORG: ${identity.bootId}`,
      `CONFIGID.UPNP.ORG: ${configId}`,
      "",
      "",
    ].join("\r\n"),
  );
}
