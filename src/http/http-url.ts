import { InvalidResponseError } from "../errors/errors.js";
import { isIPv6Literal } from "../net/ipv6-literal.js";

/**
 * An http: URL split into what a socket needs. WHATWG `URL` rejects IPv6 zone ids
 * (`http://[fe80::1%25eth0]:5000/`), which link-local gateways need, so the zone is taken out
 * before parsing and kept here.
 */
export interface HttpTarget {
  /** Host for `net.connect`: an IPv6 literal without brackets, with `%zone` when there is one. */
  host: string;
  port: number;
  /** Path and query. */
  path: string;
  /** The URL as text, zone encoded as `%25zone`. */
  href: string;
}

const zoneIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const zonePattern = /^(https?:\/\/\[[0-9a-fA-F:.]+)%(?:25)?([^\]]+)(\].*)$/;

/** A URL with its IPv6 zone id taken out, and that zone (decoded), if it had one. */
function splitZone(value: string): { url: string; zone: string | undefined } {
  const match = zonePattern.exec(value);
  if (!match) return { url: value, zone: undefined };
  const zone = decodeURIComponent(match[2]!);
  // An interface name or index, nothing else: the zone goes to the socket and into traces, so a
  // device must not be able to put line breaks or other markup there.
  if (!zoneIdPattern.test(zone)) throw new InvalidResponseError(`not a usable IPv6 zone id: ${JSON.stringify(zone.slice(0, 40))}`);
  return { url: match[1]! + match[3]!, zone };
}

/**
 * Parses an http: URL, resolved against `base` when given. A zone written in `text` wins; the
 * base's zone is used only for a URL on the base's own host (relative, or an absolute URL naming
 * that address without a zone, as a router's URLBase does: it cannot know our interface name).
 */
export function parseHttpUrl(text: string, base?: string): HttpTarget {
  let url: URL;
  let zone: string | undefined;
  try {
    const input = splitZone(text.trim());
    zone = input.zone;
    if (base === undefined) {
      url = new URL(input.url);
    } else {
      const baseParts = splitZone(base.trim());
      const baseUrl = new URL(baseParts.url);
      url = new URL(input.url, baseUrl);
      if (zone === undefined && url.hostname === baseUrl.hostname) zone = baseParts.zone;
    }
  } catch (cause) {
    throw new InvalidResponseError(`not a valid URL: ${JSON.stringify(text.slice(0, 200))}`, cause);
  }
  if (url.protocol !== "http:") {
    throw new InvalidResponseError(`only http: URLs are followed, not ${JSON.stringify(url.protocol)}`);
  }
  const bare = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const host = zone !== undefined && bare.includes(":") ? `${bare}%${zone}` : bare;
  const hostForHref = bare.includes(":") ? `[${bare}${zone !== undefined ? `%25${zone}` : ""}]` : bare;
  const port = url.port === "" ? 80 : Number(url.port);
  const path = `${url.pathname}${url.search}`;
  return { host, port, path, href: `http://${hostForHref}:${port}${path}` };
}

/**
 * The Host header for `address:port`: an IPv6 literal in brackets and without its zone id, which
 * means something only on the sending host (RFC 6874 section 4). Used for HTTP and SSDP alike.
 */
export function hostHeader(address: string, port: number): string {
  const bare = address.split("%")[0]!;
  return isIPv6Literal(bare) ? `[${bare}]:${port}` : `${bare}:${port}`;
}
