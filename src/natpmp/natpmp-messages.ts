import type { TransportProtocol } from "../mapping/port-mapper.js";

/**
 * NAT-PMP messages (RFC 6886) as typed values. Every request and response starts with the version
 * (0) and the opcode; a response's opcode is the request's plus 128, then a 16-bit result code
 * and the gateway's epoch. All numbers are big-endian.
 */

/** The port NAT-PMP (and PCP) servers listen on (RFC 6886 §3.1). */
export const NATPMP_SERVER_PORT = 5351;
/** Where gateways announce a change to all hosts: 224.0.0.1 (or ff02::1 for PCP), port 5350 (RFC 6886 §3.2.1, RFC 6887 §14.1.1). */
export const ANNOUNCEMENT_PORT = 5350;
export const NATPMP_VERSION = 0;

/** Opcodes of RFC 6886: the external address request, and a mapping of UDP or of TCP. */
export const natPmpOpcodes = { externalAddress: 0, mapUdp: 1, mapTcp: 2 } as const;
/** A response carries the request's opcode plus this. */
export const NATPMP_RESPONSE_BIT = 128;

export type NatPmpRequest =
  /** The gateway's external IPv4 address (RFC 6886 §3.2): 2 bytes. */
  | { kind: "external-address" }
  /**
   * Create, renew (same internal port) or delete (lifetime 0) a mapping (RFC 6886 §3.3, §3.4):
   * 12 bytes. A suggested port of 0 means "any", which some gateways refuse (tailscale#13785).
   */
  | { kind: "map"; protocol: TransportProtocol; internalPort: number; suggestedExternalPort: number; lifetimeSeconds: number };

/** What a server reads: a request it can serve, or one it must refuse with result 1 or 5 (RFC 6886 §3.5). */
export type DecodedNatPmpRequest =
  | NatPmpRequest
  | { kind: "unsupported-version"; version: number; opcode: number }
  | { kind: "unsupported-opcode"; opcode: number };

/** The fields every response starts with. */
interface ResponseHeader {
  /** 0 for success; anything else is the reason of a refusal (RFC 6886 §3.5). */
  resultCode: number;
  /** Seconds since the gateway's mapping table started (RFC 6886 §3.6). */
  epochSeconds: number;
}

export type NatPmpResponse =
  /** 12 bytes; also the gratuitous announcement multicast to 224.0.0.1:5350 (RFC 6886 §3.2.1). */
  | (ResponseHeader & { kind: "external-address"; externalAddress: string })
  /** 16 bytes: the mapping granted (or, with lifetime 0, deleted). */
  | (ResponseHeader & { kind: "map"; protocol: TransportProtocol; internalPort: number; externalPort: number; lifetimeSeconds: number })
  /**
   * 8 bytes: a refusal without the opcode's fields, as sent for an unsupported version or opcode
   * (RFC 6886 §3.5 and its erratum 3618, miniupnpd). `opcode` is the request's (response minus 128).
   */
  | (ResponseHeader & { kind: "error"; opcode: number });

/** The opcode of a mapping request for `protocol`. */
export function mapOpcode(protocol: TransportProtocol): number {
  return protocol === "UDP" ? natPmpOpcodes.mapUdp : natPmpOpcodes.mapTcp;
}

/** The protocol of a mapping opcode, undefined for any other opcode. */
export function protocolOfOpcode(opcode: number): TransportProtocol | undefined {
  return opcode === natPmpOpcodes.mapUdp ? "UDP" : opcode === natPmpOpcodes.mapTcp ? "TCP" : undefined;
}
