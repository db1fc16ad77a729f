import { InvalidArgumentError } from "../../errors/errors.js";

/** The SSDP port, for multicast and for unicast searches (UDA 1.1 §1.3.2). */
export const SSDP_PORT = 1900;
/** IPv4 SSDP multicast group. */
export const SSDP_IPV4_MULTICAST = "239.255.255.250";
/** IPv6 link-local SSDP multicast group (UDA 1.1 appendix A). */
export const SSDP_IPV6_LINK_LOCAL_MULTICAST = "FF02::C";
/** IPv6 site-local SSDP multicast group; searched before the link-local one, as the engine does. */
export const SSDP_IPV6_SITE_LOCAL_MULTICAST = "FF05::C";

/**
 * What to search for to find internet gateways. IGD:2 devices must answer an IGD:1 search too
 * (IGD 2.0 §2.1), so IGD:1 finds both. The WAN connection services are searched as well because
 * `ssdp:all` or a root-device search can be answered by some unrelated device only
 * (Mono.Nat#17, tailscale#3557).
 */
export const IGD_SEARCH_TARGETS: readonly string[] = Object.freeze([
  "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
  "urn:schemas-upnp-org:service:WANIPConnection:1",
  "urn:schemas-upnp-org:service:WANPPPConnection:1",
]);

/** Larger datagrams are dropped unread: a real search reply is a few hundred bytes. */
export const MAX_SSDP_DATAGRAM_BYTES = 8 * 1024;
/** Header lines read from one reply; the rest of a longer reply is ignored. */
export const MAX_SSDP_HEADER_LINES = 64;

export interface MSearchOptions {
  /** The `ST` header: a device or service type, `upnp:rootdevice` or `ssdp:all`. */
  searchTarget: string;
  /** The `MX` header: seconds a device may wait before answering (devices treat > 5 as 5). */
  mx: number;
  /**
   * The `HOST` header: the multicast group, e.g. `239.255.255.250:1900` or `[FF02::C]:1900`, or
   * for a unicast search the address and port it is sent to (UDA 1.1 §1.3.2). See `hostHeader` in http-url.ts.
   */
  host: string;
}

/** A search reply (`HTTP/1.1 200 OK`) as read from the datagram. */
export interface SsdpResponse {
  /** URL of the device description. */
  location: string;
  /** The type the device answered for; `""` when the header is missing. */
  st: string;
  /** Unique service name; `""` when the header is missing. */
  usn: string;
  server?: string;
  /** Every header read, names lower-cased; for a repeated header the first value. */
  headers: Readonly<Record<string, string>>;
}

const lineBreak = /[\r\n]/;

function assertHeaderValue(name: string, value: string): void {
  if (value.trim() === "" || lineBreak.test(value)) {
    throw new InvalidArgumentError(`SSDP ${name} must be a non-empty single line, got ${JSON.stringify(value)}`);
  }
}

/** Builds an M-SEARCH request (UDA 1.1 §1.3.2). Throws `InvalidArgumentError` on a bad field. */
export function buildMSearch(options: MSearchOptions): string {
  assertHeaderValue("search target", options.searchTarget);
  assertHeaderValue("host", options.host);
  if (!Number.isInteger(options.mx) || options.mx < 1) {
    throw new InvalidArgumentError(`SSDP MX must be a whole number of seconds >= 1, got ${options.mx}`);
  }
  return [
    "M-SEARCH * HTTP/1.1",
    `HOST: ${options.host.trim()}`,
    'MAN: "ssdp:discover"',
    `MX: ${options.mx}`,
    `ST: ${options.searchTarget.trim()}`,
    "",
    "",
  ].join("\r\n");
}

const statusLinePattern = /^HTTP\/1\.\d\s+200(?:\s|$)/i;

/**
 * The headers of an SSDP datagram whose first line matches `startLine`, names lower-cased (for a
 * repeated header the first value); undefined for another kind of message or a datagram larger
 * than `MAX_SSDP_DATAGRAM_BYTES`. Lenient on what devices get wrong: LF-only line ends, header
 * case, blanks around values.
 */
export function readSsdpHeaders(datagram: Uint8Array | string, startLine: RegExp): Record<string, string> | undefined {
  const bytes = typeof datagram === "string" ? Buffer.byteLength(datagram) : datagram.byteLength;
  if (bytes > MAX_SSDP_DATAGRAM_BYTES) return undefined;
  const text = typeof datagram === "string" ? datagram : Buffer.from(datagram.buffer, datagram.byteOffset, bytes).toString("utf8");
  const lines = text.split(/\r?\n/, MAX_SSDP_HEADER_LINES + 1);
  if (!startLine.test(lines[0]!.trim())) return undefined;

  // A null prototype, so a header named `__proto__` is just a header.
  const headers: Record<string, string> = Object.create(null);
  for (const line of lines.slice(1)) {
    if (line.trim() === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Reads a search reply. Returns `undefined` for anything else: NOTIFY announcements, other
 * M-SEARCHes seen on a shared port, error statuses, replies without a LOCATION, datagrams larger
 * than `MAX_SSDP_DATAGRAM_BYTES`. Missing USN or ST are tolerated.
 */
export function parseSsdpResponse(datagram: Uint8Array | string): SsdpResponse | undefined {
  const headers = readSsdpHeaders(datagram, statusLinePattern);
  const location = headers?.["location"];
  if (headers === undefined || location === undefined || location === "") return undefined;
  const response: SsdpResponse = { location, st: headers["st"] ?? "", usn: headers["usn"] ?? "", headers };
  if (headers["server"] !== undefined) response.server = headers["server"];
  return response;
}

/**
 * A `BOOTID.UPNP.ORG`-style number (UDA 1.1 §1.2.2: a non-negative 31-bit integer), or undefined
 * when the header is missing or holds anything else.
 */
export function parseBootId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const number = Number(value);
  return number <= 0x7fffffff ? number : undefined;
}
