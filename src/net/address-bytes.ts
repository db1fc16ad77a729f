import { isIPv4, isIPv6 } from "node:net";
import { InvalidArgumentError } from "../errors/errors.js";

/**
 * Addresses as 16 bytes, the way PCP carries every address (RFC 6887 §5): an IPv6 address as
 * is, an IPv4 address as the IPv4-mapped IPv6 address `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2).
 */

const ipv4MappedPrefix = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] as const;

/** The 16 bytes of `address` (IPv4 or IPv6 text; an IPv6 zone such as `%eth0` is dropped). */
export function addressToBytes(address: string): Uint8Array {
  const bare = address.split("%")[0]!;
  if (isIPv4(bare)) {
    const bytes = new Uint8Array(16);
    bytes.set(ipv4MappedPrefix);
    bytes.set(bare.split(".").map(Number), 12);
    return bytes;
  }
  if (!isIPv6(bare)) throw new InvalidArgumentError(`not an IP address: ${JSON.stringify(address)}`);
  const groups = ipv6Groups(bare.toLowerCase());
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and a dotted IPv4 tail split. */
function ipv6Groups(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted === null ? address : `${address.slice(0, dotted.index)}${hexPair(dotted.slice(1).map(Number))}`;
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (part: string): number[] => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  if (tail === undefined) return parse(head);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function hexPair([a, b, c, d]: number[]): string {
  return `${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
}

/** True when the 16 bytes are an IPv4-mapped address. */
export function isIPv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < ipv4MappedPrefix.length; i++) if (bytes[i] !== ipv4MappedPrefix[i]) return false;
  return true;
}

/**
 * The text of 16 address bytes: dotted IPv4 for an IPv4-mapped address, else IPv6 in the
 * canonical form of RFC 5952 (lower case, the first longest run of two or more zero groups as `::`).
 */
export function addressFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new InvalidArgumentError(`an address has 16 bytes, not ${bytes.length}`);
  if (isIPv4Mapped(bytes)) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[i * 2]! << 8) | bytes[i * 2 + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
