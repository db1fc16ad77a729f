import { InvalidArgumentError } from "../errors/errors.js";
import { addressFromBytes, addressToBytes } from "../net/address-bytes.js";
import { checkField, malformed } from "../net/wire-fields.js";
import { PCP_HEADER_BYTES, PCP_MAP_BYTES, PCP_MAX_MESSAGE_BYTES, PCP_NONCE_BYTES, pcpOptionLengths, type PcpMapFields, type PcpOption } from "./pcp-messages.js";

/** MAP's 36 bytes (RFC 6887 §11.1). */
export function encodeMapFields(map: PcpMapFields): Buffer {
  if (!(map.nonce instanceof Uint8Array) || map.nonce.length !== PCP_NONCE_BYTES) {
    throw new InvalidArgumentError(`a PCP nonce has ${PCP_NONCE_BYTES} bytes, got ${map.nonce?.length}`);
  }
  const bytes = Buffer.alloc(PCP_MAP_BYTES);
  bytes.set(map.nonce, 0);
  bytes[12] = checkField("protocol", map.protocol, 8);
  // Bytes 13-15 are reserved and stay 0.
  bytes.writeUInt16BE(checkField("internalPort", map.internalPort, 16), 16);
  bytes.writeUInt16BE(checkField("externalPort", map.externalPort, 16), 18);
  bytes.set(addressToBytes(map.externalAddress), 20);
  return bytes;
}

/** MAP's fields from the first 36 bytes of `bytes` (at least that many). */
export function decodeMapFields(bytes: Buffer): PcpMapFields {
  return {
    nonce: Uint8Array.from(bytes.subarray(0, PCP_NONCE_BYTES)),
    protocol: bytes[12]!,
    internalPort: bytes.readUInt16BE(16),
    externalPort: bytes.readUInt16BE(18),
    externalAddress: addressFromBytes(bytes.subarray(20, 36)),
  };
}

/** Options, each a 4-byte header (code, reserved, length) and its data padded to 4 bytes (RFC 6887 §7.3). */
export function encodeOptions(options: readonly PcpOption[]): Buffer {
  return Buffer.concat(
    options.map((option) => {
      const bytes = Buffer.alloc(4 + Math.ceil(option.data.length / 4) * 4);
      bytes[0] = checkField("option code", option.code, 8);
      bytes.writeUInt16BE(checkField("option length", option.data.length, 16), 2);
      bytes.set(option.data, 4);
      return bytes;
    }),
  );
}

/**
 * The options that fill `bytes` to its end. The options RFC 6887 defines (THIRD_PARTY,
 * PREFER_FAILURE, FILTER) must have their lengths; any option must fit, padding included.
 */
export function decodeOptions(bytes: Buffer): PcpOption[] {
  const options: PcpOption[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    if (bytes.length - offset < 4) malformed("PCP", `${bytes.length - offset} bytes left where an option header needs 4`);
    const code = bytes[offset]!;
    const length = bytes.readUInt16BE(offset + 2);
    const padded = Math.ceil(length / 4) * 4;
    if (offset + 4 + padded > bytes.length) malformed("PCP", `option ${code} of ${length} bytes runs past the end of the message`);
    const expected = pcpOptionLengths[code];
    if (expected !== undefined && length !== expected) malformed("PCP", `option ${code} has ${expected} bytes of data, not ${length}`);
    options.push({ code, data: Uint8Array.from(bytes.subarray(offset + 4, offset + 4 + length)) });
    offset += 4 + padded;
  }
  return options;
}

/** The checks every PCP message passes before its fields are read (RFC 6887 §7, §8.3). */
export function checkMessageSize(bytes: Buffer): void {
  if (bytes.length < PCP_HEADER_BYTES) malformed("PCP", `a message has at least ${PCP_HEADER_BYTES} bytes, got ${bytes.length}`);
  if (bytes.length > PCP_MAX_MESSAGE_BYTES) malformed("PCP", `a message has at most ${PCP_MAX_MESSAGE_BYTES} bytes, got ${bytes.length}`);
  if (bytes.length % 4 !== 0) malformed("PCP", `a message is a multiple of 4 bytes long, got ${bytes.length}`);
}

/** Joins a message's parts and checks that it fits in one PCP datagram. */
export function joinMessage(parts: readonly Uint8Array[]): Uint8Array {
  const bytes = Buffer.concat(parts);
  if (bytes.length > PCP_MAX_MESSAGE_BYTES) throw new InvalidArgumentError(`a PCP message has at most ${PCP_MAX_MESSAGE_BYTES} bytes, this one would have ${bytes.length}`);
  return bytes;
}
