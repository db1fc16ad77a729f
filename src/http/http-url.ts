import { InvalidResponseError } from "../errors/errors.js";

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

export function parseHttpUrl(text: string, base?: string): HttpTarget {
  let zone: string | undefined;
  let baseText = base;
  const stripZone = (value: string): string => {
    const match = zonePattern.exec(value);
    if (!match) return value;
    zone = decodeURIComponent(match[2]!);
    // An interface name or index, nothing else: the zone goes into the Host header and to the
    // socket, so a device must not be able to put line breaks or other markup there.
    if (!zoneIdPattern.test(zone)) throw new InvalidResponseError(`not a usable IPv6 zone id: ${JSON.stringify(zone.slice(0, 40))}`);
    return match[1]! + match[3]!;
  };
  let url: URL;
  try {
    const input = stripZone(text.trim());
    if (baseText !== undefined) baseText = stripZone(baseText.trim());
    url = baseText === undefined ? new URL(input) : new URL(input, baseText);
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
