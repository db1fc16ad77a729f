import { isIPv4, isIPv6, isIP } from "node:net";
import { InvalidArgumentError, type InvalidArgumentProblem } from "../errors/errors.js";
import type { ProtocolChoice } from "../discovery/port-mapper-attempts.js";
import type { TransportProtocol } from "../mapping/port-mapper.js";

/** A port 1..65535 written in decimal digits only ("08080" and "8e3" are refused, not guessed at). */
export function parsePort(text: string | undefined, what: string): number {
  const value = text !== undefined && /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= 65535) || text!.startsWith("0")) {
    throw new InvalidArgumentError(`${what} must be a port from 1 to 65535, got ${JSON.stringify(text ?? "")}`, "port");
  }
  return value;
}

/** `tcp`, `udp` or `both`, in any case. */
export function parseProtocols(text: string): TransportProtocol[] {
  switch (text.toLowerCase()) {
    case "tcp":
      return ["TCP"];
    case "udp":
      return ["UDP"];
    case "both":
      return ["TCP", "UDP"];
    default:
      throw new InvalidArgumentError(`--proto must be tcp, udp or both, got ${JSON.stringify(text)}`, "protocol");
  }
}

/**
 * A number option in decimal digits from `min` to `max`, or a usage error saying what `option`
 * must be. No more digits than `max` has: zeros padding a number beyond that are refused, not
 * guessed at.
 */
function parseWholeNumber(text: string, option: string, min: number, max: number, mustBe: string, problem?: InvalidArgumentProblem): number {
  const value = text.length <= String(max).length && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new InvalidArgumentError(`${option} must be ${mustBe}, got ${JSON.stringify(text)}`, problem);
  return value;
}

/** Seconds, 0 (permanent) to 2^32-1: the range of the lease argument (ui4). */
export function parseLease(text: string): number {
  return parseWholeNumber(text, "--lease", 0, 0xffffffff, "whole seconds from 0 (permanent) to 4294967295", "lease");
}

/** A whole number of milliseconds from 1 to a day. */
export function parseTimeout(text: string): number {
  return parseWholeNumber(text, "--timeout", 1, 86_400_000, "milliseconds from 1 to 86400000");
}

/** An IPv4 address: WANIPConnection maps IPv4 internal clients only. */
export function parseIpv4(text: string, option: string): string {
  if (!isIPv4(text)) throw new InvalidArgumentError(`${option} must be an IPv4 address, got ${JSON.stringify(text)}`);
  return text;
}

/**
 * `--internal-client`: an IPv4 address, or with `--ipv6` an IPv6 one (the pinhole's address;
 * default: this host's stable global address toward the gateway, docs/ipv6.md).
 */
export function parseInternalClient(text: string | undefined, ipv6: boolean): string | undefined {
  if (text === undefined) return undefined;
  if (!ipv6) return parseIpv4(text, "--internal-client");
  if (!isIPv6(text)) throw new InvalidArgumentError(`--internal-client with --ipv6 must be an IPv6 address, got ${JSON.stringify(text)}`);
  return text;
}

export function parseIpAddress(text: string, option: string): string {
  if (isIP(text) === 0) throw new InvalidArgumentError(`${option} must be an IP address, got ${JSON.stringify(text)}`);
  return text;
}

/** `ADDRESS[:PORT]`, `[IPv6]:PORT` or a bare IPv6 address (a link-local one may carry its zone, `fe80::1%eth0`). */
function parseAddressPort(text: string, option: string, defaultPort: number): { address: string; port: number } {
  if (isIP(text) === 6) return { address: text, port: defaultPort };
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const address = match?.[1];
  if (address === undefined || isIP(address) === 0) {
    throw new InvalidArgumentError(`${option} must be ADDRESS[:PORT] with an IP address, got ${JSON.stringify(text)}`);
  }
  return { address, port: match?.[2] === undefined ? defaultPort : parsePort(match[2], `${option} port`) };
}

/** `--ssdp-target`: where to send the search; the port defaults to SSDP's 1900. */
export function parseSsdpTarget(text: string): { address: string; port: number } {
  return parseAddressPort(text, "--ssdp-target", 1900);
}

/** `--gateway-address`: where NAT-PMP and PCP requests go; the port defaults to theirs, 5351 (RFC 6886 §3.1, RFC 6887 §19.1). */
export function parseGatewayAddress(text: string): { address: string; port: number } {
  return parseAddressPort(text, "--gateway-address", 5351);
}

/** `--protocol`: which protocol to speak to the gateway, in any case. */
export function parseProtocolChoice(text: string): ProtocolChoice {
  const choice = text.toLowerCase();
  if (choice !== "auto" && choice !== "upnp" && choice !== "pcp" && choice !== "natpmp") {
    throw new InvalidArgumentError(`--protocol must be auto, upnp, pcp or natpmp, got ${JSON.stringify(text)}`);
  }
  return choice;
}

/** `--check-interval`: whole seconds from 1 to a day. */
export function parseCheckInterval(text: string): number {
  return parseWholeNumber(text, "--check-interval", 1, 86_400, "whole seconds from 1 to 86400");
}

/** A text argument the gateway stores, such as the mapping's description: printable, not huge. */
export function parseDescription(text: string): string {
  // Counted in characters (code points), as the user typed them: an emoji is one, not two UTF-16 units.
  // Control characters other than tab are not valid in XML 1.0 and break routers' parsers.
  if ([...text].length > 256 || /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) {
    throw new InvalidArgumentError("--description must be at most 256 characters, without control characters");
  }
  return text;
}

/** A port to listen on: 0 lets the system pick a free one. */
export function parseListenPort(text: string, option: string): number {
  return text === "0" ? 0 : parsePort(text, option);
}

/** `--max-entries`: how many entries `list` reads at most, 1 to 65536 (the whole port range). */
export function parseMaxEntries(text: string): number {
  return parseWholeNumber(text, "--max-entries", 1, 65_536, "a whole number from 1 to 65536");
}
