import { BlockList, isIP } from "node:net";
import { InvalidResponseError } from "../../errors/errors.js";
import { parseHttpUrl } from "../../http/http-url.js";
import type { LocalNetwork } from "../../net/host-network.js";
import { unmapIPv4 } from "../../net/local-address.js";

/** What to do with a LOCATION: follow `location` (possibly with a zone added), or ignore it and why. */
export type LocationVerdict = { allowed: true; location: string } | { allowed: false; reason: string };

function splitZone(address: string): { bare: string; zone: string | undefined } {
  const percent = address.indexOf("%");
  return percent === -1 ? { bare: address, zone: undefined } : { bare: address.slice(0, percent), zone: address.slice(percent + 1) };
}

function familyName(address: string): "ipv4" | "ipv6" {
  return isIP(address) === 6 ? "ipv6" : "ipv4";
}

/** Same address, however it is written (`::1` and `0:0:0:0:0:0:0:1`, `::ffff:1.2.3.4` and `1.2.3.4`). */
function sameAddress(a: string, b: string): boolean {
  if (isIP(a) === 0 || isIP(b) === 0) return false;
  const list = new BlockList();
  list.addAddress(a, familyName(a));
  return list.check(b, familyName(b));
}

/**
 * The prefixes of each interface, built once per list of networks (a search reads it once and
 * checks every reply against it) rather than once per reply.
 */
const prefixesByList = new WeakMap<readonly LocalNetwork[], Map<string, BlockList>>();

function interfacePrefixes(networks: readonly LocalNetwork[]): Map<string, BlockList> {
  let byInterface = prefixesByList.get(networks);
  if (byInterface !== undefined) return byInterface;
  byInterface = new Map();
  for (const network of networks) {
    let list = byInterface.get(network.interfaceName);
    if (list === undefined) byInterface.set(network.interfaceName, (list = new BlockList()));
    const slash = network.cidr.lastIndexOf("/");
    const base = splitZone(network.cidr.slice(0, slash)).bare;
    list.addSubnet(base, Number(network.cidr.slice(slash + 1)), familyName(base));
  }
  prefixesByList.set(networks, byInterface);
  return byInterface;
}

/** The interfaces a reply from `source` came in on: its zone, else those whose prefix holds it. */
function receivingInterfaces(source: { bare: string; zone: string | undefined }, prefixes: Map<string, BlockList>): string[] {
  if (source.zone !== undefined) return [source.zone];
  if (isIP(source.bare) === 0) return [];
  return [...prefixes].filter(([, list]) => list.check(source.bare, familyName(source.bare))).map(([name]) => name);
}

const isLinkLocalIPv6 = (address: string): boolean => /^fe[89ab][0-9a-f]:/i.test(address);

/**
 * The LOCATION to follow. An IPv6 link-local host without a zone gets the zone of the interface
 * the reply came in on: the device cannot know our interface name, and without a zone the address
 * cannot be reached. Left as it is when that interface is not known for sure.
 */
function followed(location: string, target: { bare: string; zone: string | undefined }, interfaces: readonly string[]): LocationVerdict {
  if (target.zone !== undefined || !isLinkLocalIPv6(target.bare) || interfaces.length !== 1) return { allowed: true, location };
  try {
    const { href } = parseHttpUrl(location);
    return { allowed: true, location: parseHttpUrl(href.replace(/^http:\/\/\[([^\]%]+)\]/, `http://[$1%25${interfaces[0]}]`)).href };
  } catch {
    return { allowed: true, location };
  }
}

/**
 * Decides whether an SSDP reply's LOCATION may be fetched. Anyone on the LAN can answer an
 * M-SEARCH, so a reply must not make porthole connect to an arbitrary place (this host's own
 * services on 127.0.0.1, another network, another scheme). Followed: an `http:` URL whose host is
 * the address the reply came from, or an address on a network of the interface the reply arrived
 * on. The source alone is not the rule because a router may answer from one of its addresses and
 * name another (tailscale#5502). Host names are refused: what they resolve to is not checked.
 *
 * @param source the reply's source address, as `dgram` reports it (link-local with `%zone`)
 * @param networks the local prefixes, see `localNetworks`
 * @param allowForeign follow any `http:` URL (every other check is skipped)
 */
export function checkLocation(location: string, source: string, networks: readonly LocalNetwork[], allowForeign = false): LocationVerdict {
  let host: string;
  try {
    host = parseHttpUrl(location).host;
  } catch (error) {
    if (error instanceof InvalidResponseError) return { allowed: false, reason: error.message };
    throw error;
  }
  if (allowForeign) return { allowed: true, location };
  const target = splitZone(host);
  if (isIP(target.bare) === 0) return { allowed: false, reason: `LOCATION names the host ${JSON.stringify(host)}, not an address` };
  const from = splitZone(unmapIPv4(source));
  if (sameAddress(target.bare, from.bare)) return followed(location, target, from.zone === undefined ? [] : [from.zone]);
  const prefixes = interfacePrefixes(networks);
  const interfaces = receivingInterfaces(from, prefixes);
  if (!interfaces.some((name) => prefixes.get(name)?.check(target.bare, familyName(target.bare)))) {
    return {
      allowed: false,
      reason: `LOCATION host ${host} is neither the replying host ${source} nor on a network of the interface the reply came in on`,
    };
  }
  return followed(location, target, interfaces);
}
