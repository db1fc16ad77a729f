/**
 * PCP messages (RFC 6887) as typed values. Every message is a 24-byte header (version 2, the
 * R bit and opcode, a lifetime, then the client's address in a request or the result and epoch
 * in a response), the opcode's fields, and options. Addresses are 16 bytes, IPv4 as IPv4-mapped
 * IPv6; numbers are big-endian; messages are multiples of 4 bytes, at most 1100 (RFC 6887 §7).
 */

export const PCP_VERSION = 2;
export const PCP_HEADER_BYTES = 24;
export const PCP_MAX_MESSAGE_BYTES = 1100;
/** The R bit of the second byte: set in responses (RFC 6887 §7.2). */
export const PCP_RESPONSE_BIT = 0x80;
export const pcpOpcodes = { announce: 0, map: 1, peer: 2 } as const;
/** Bytes of MAP's fields (RFC 6887 §11.1). */
export const PCP_MAP_BYTES = 36;
export const PCP_NONCE_BYTES = 12;
/** Options of RFC 6887 §13, with the data length each must have. */
export const pcpOptionCodes = { thirdParty: 1, preferFailure: 2, filter: 3 } as const;
export const pcpOptionLengths: Readonly<Record<number, number>> = { 1: 16, 2: 0, 3: 20 };
/** IANA protocol numbers MAP carries; 0 means every protocol (RFC 6887 §11.1). */
export const ianaProtocolNumbers = { TCP: 6, UDP: 17 } as const;

/** One option as it travels: its code and data (without the padding). */
export interface PcpOption {
  code: number;
  data: Uint8Array;
}

/** MAP's fields (RFC 6887 §11.1): the same layout in the request and the response. */
export interface PcpMapFields {
  /** 12 random bytes that tie replies, renewals and the delete to the one who made the mapping. */
  nonce: Uint8Array;
  /** IANA protocol number: 6 TCP, 17 UDP, 0 all. */
  protocol: number;
  internalPort: number;
  /** Suggested in a request (0: any), assigned in a response. */
  externalPort: number;
  /** Suggested in a request (`0.0.0.0` or `::`: any, of that family), assigned in a response. */
  externalAddress: string;
}

interface RequestHeader {
  /** Asked for; 0 deletes a mapping (RFC 6887 §15). ANNOUNCE asks 0. */
  lifetimeSeconds: number;
  /** Our address as we send from it: the server answers ADDRESS_MISMATCH when it sees another. */
  clientAddress: string;
  options: readonly PcpOption[];
}

export type PcpRequest =
  /** RFC 6887 §14.1: asks only for the epoch; also how a client finds out whether PCP is spoken. */
  | (RequestHeader & { kind: "announce" })
  | (RequestHeader & { kind: "map"; map: PcpMapFields });

/** What a server reads: a request it can serve, or one it must refuse (UNSUPP_VERSION, UNSUPP_OPCODE). */
export type DecodedPcpRequest =
  | PcpRequest
  | { kind: "unsupported-version"; version: number; opcode: number }
  /** `body` holds the opcode's fields and options, which an error response copies (RFC 6887 §7.2). */
  | (RequestHeader & { kind: "unsupported-opcode"; opcode: number; body: Uint8Array });

interface ResponseHeader {
  /** 2; in an UNSUPP_VERSION response, the version the server speaks (RFC 6887 §9). */
  version: number;
  /** 0 for success (RFC 6887 §7.4). */
  resultCode: number;
  /** Granted on success; on an error, how long it will last (RFC 6887 §7.2). */
  lifetimeSeconds: number;
  /** Seconds since the server's state began (RFC 6887 §8.5). */
  epochSeconds: number;
}

export type PcpResponse =
  | (ResponseHeader & { kind: "announce"; options: readonly PcpOption[] })
  | (ResponseHeader & { kind: "map"; map: PcpMapFields; options: readonly PcpOption[] })
  /** A refusal without readable fields: another version's, an unknown opcode's, or a header alone. */
  | (ResponseHeader & { kind: "error"; opcode: number });
