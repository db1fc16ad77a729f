import { parseBootId, readSsdpHeaders } from "./ssdp-message.js";

/** What an announcement says about the device (UDA 1.1 §1.2). */
export type NotifyKind = "ssdp:alive" | "ssdp:byebye" | "ssdp:update";

/** A NOTIFY announcement as read from the datagram. */
export interface SsdpNotify {
  kind: NotifyKind;
  /** The notification type: a device or service type, a UDN or `upnp:rootdevice`. */
  nt: string;
  /** Unique service name; `""` when missing. */
  usn: string;
  /** URL of the device description; undefined for `ssdp:byebye`, which carries none. */
  location: string | undefined;
  /** `BOOTID.UPNP.ORG`, when the device sent a readable one (UDA 1.1 devices do, 1.0 devices do not). */
  bootId: number | undefined;
  /** `CONFIGID.UPNP.ORG`: changes when the device's description changes. */
  configId: number | undefined;
  /** `NEXTBOOTID.UPNP.ORG` of an `ssdp:update`: the boot id the device uses from now on. */
  nextBootId: number | undefined;
}

const notifyLinePattern = /^NOTIFY\s+\*\s+HTTP\/1\.[01]$/i;
const kinds: ReadonlySet<string> = new Set<NotifyKind>(["ssdp:alive", "ssdp:byebye", "ssdp:update"]);

/**
 * Reads a NOTIFY announcement. Returns `undefined` for anything else: search replies, M-SEARCHes,
 * an unknown NTS, an announcement without NT, datagrams larger than `MAX_SSDP_DATAGRAM_BYTES`.
 */
export function parseSsdpNotify(datagram: Uint8Array | string): SsdpNotify | undefined {
  const headers = readSsdpHeaders(datagram, notifyLinePattern);
  const kind = headers?.["nts"]?.toLowerCase();
  const nt = headers?.["nt"];
  if (headers === undefined || kind === undefined || !kinds.has(kind) || nt === undefined || nt === "") return undefined;
  const location = headers["location"];
  return {
    kind: kind as NotifyKind,
    nt,
    usn: headers["usn"] ?? "",
    location: location === undefined || location === "" ? undefined : location,
    bootId: parseBootId(headers["bootid.upnp.org"]),
    configId: parseBootId(headers["configid.upnp.org"]),
    nextBootId: parseBootId(headers["nextbootid.upnp.org"]),
  };
}

/** The device UUID part of a USN (`uuid:…::urn:…` or `uuid:…`), lower-cased; undefined without one. */
export function uuidOfUsn(usn: string): string | undefined {
  const match = /^uuid:([^:\s]+)/i.exec(usn.trim());
  return match?.[1]?.toLowerCase();
}
