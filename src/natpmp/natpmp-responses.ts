import { isIPv4 } from "node:net";
import { InvalidArgumentError } from "../errors/errors.js";
import { bufferOf, checkField, malformed } from "../net/wire-fields.js";
import { mapOpcode, NATPMP_RESPONSE_BIT, NATPMP_VERSION, natPmpOpcodes, protocolOfOpcode, type NatPmpResponse } from "./natpmp-messages.js";

/** The bytes of a NAT-PMP response or announcement (RFC 6886 §3.2, §3.2.1, §3.3, §3.5). */
export function encodeNatPmpResponse(response: NatPmpResponse): Uint8Array {
  const length = response.kind === "external-address" ? 12 : response.kind === "map" ? 16 : 8;
  const bytes = Buffer.alloc(length);
  bytes[0] = NATPMP_VERSION;
  const opcode = response.kind === "external-address" ? natPmpOpcodes.externalAddress : response.kind === "map" ? mapOpcode(response.protocol) : response.opcode;
  bytes[1] = NATPMP_RESPONSE_BIT + checkField("opcode", opcode, 7);
  bytes.writeUInt16BE(checkField("resultCode", response.resultCode, 16), 2);
  bytes.writeUInt32BE(checkField("epochSeconds", response.epochSeconds, 32), 4);
  if (response.kind === "external-address") {
    if (!isIPv4(response.externalAddress)) throw new InvalidArgumentError(`externalAddress must be an IPv4 address, got ${JSON.stringify(response.externalAddress)}`);
    response.externalAddress.split(".").forEach((part, i) => (bytes[8 + i] = Number(part)));
  } else if (response.kind === "map") {
    bytes.writeUInt16BE(checkField("internalPort", response.internalPort, 16), 8);
    bytes.writeUInt16BE(checkField("externalPort", response.externalPort, 16), 10);
    bytes.writeUInt32BE(checkField("lifetimeSeconds", response.lifetimeSeconds, 32), 12);
  } else if (response.resultCode === 0) {
    throw new InvalidArgumentError("a response without the opcode's fields must carry a non-zero result code");
  }
  return bytes;
}

/**
 * A NAT-PMP response as a client reads it: exactly 12 bytes for the external address, 16 for a
 * mapping, or 8 for a refusal without those fields. Anything else (short, long, another version,
 * a request's opcode, an 8-byte "success") throws an `InvalidResponseError`.
 */
export function decodeNatPmpResponse(bytes: Uint8Array): NatPmpResponse {
  const buffer = bufferOf(bytes);
  if (buffer.length < 8) malformed("NAT-PMP", `a response has at least 8 bytes, got ${buffer.length}`);
  if (buffer[0] !== NATPMP_VERSION) malformed("NAT-PMP", `version ${buffer[0]}, not ${NATPMP_VERSION}`);
  if (buffer[1]! < NATPMP_RESPONSE_BIT) malformed("NAT-PMP", `opcode ${buffer[1]} is a request, not a response`);
  const opcode = buffer[1]! - NATPMP_RESPONSE_BIT;
  const header = { resultCode: buffer.readUInt16BE(2), epochSeconds: buffer.readUInt32BE(4) };
  if (buffer.length === 8) {
    if (header.resultCode === 0) malformed("NAT-PMP", `a successful response to opcode ${opcode} lacks its fields`);
    return { kind: "error", opcode, ...header };
  }
  const protocol = protocolOfOpcode(opcode);
  if (opcode === natPmpOpcodes.externalAddress && buffer.length === 12) {
    return { kind: "external-address", ...header, externalAddress: Array.from(buffer.subarray(8, 12)).join(".") };
  }
  if (protocol !== undefined && buffer.length === 16) {
    return { kind: "map", protocol, ...header, internalPort: buffer.readUInt16BE(8), externalPort: buffer.readUInt16BE(10), lifetimeSeconds: buffer.readUInt32BE(12) };
  }
  return malformed("NAT-PMP", `a response to opcode ${opcode} cannot have ${buffer.length} bytes`);
}
