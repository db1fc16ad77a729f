import { bufferOf, checkField, malformed } from "../net/wire-fields.js";
import { mapOpcode, NATPMP_RESPONSE_BIT, NATPMP_VERSION, natPmpOpcodes, protocolOfOpcode, type DecodedNatPmpRequest, type NatPmpRequest } from "./natpmp-messages.js";

/** The bytes of a NAT-PMP request (RFC 6886 §3.2, §3.3). */
export function encodeNatPmpRequest(request: NatPmpRequest): Uint8Array {
  if (request.kind === "external-address") return Uint8Array.of(NATPMP_VERSION, natPmpOpcodes.externalAddress);
  const bytes = Buffer.alloc(12);
  bytes[0] = NATPMP_VERSION;
  bytes[1] = mapOpcode(request.protocol);
  // Bytes 2-3 are reserved and stay 0.
  bytes.writeUInt16BE(checkField("internalPort", request.internalPort, 16), 4);
  bytes.writeUInt16BE(checkField("suggestedExternalPort", request.suggestedExternalPort, 16), 6);
  // Seconds, as RFC 6886 §3.3 says: nat-port-mapper wrote milliseconds here, and miniupnpd
  // granted a thousand times the lease asked.
  bytes.writeUInt32BE(checkField("lifetimeSeconds", request.lifetimeSeconds, 32), 8);
  return bytes;
}

/**
 * A request as a NAT-PMP server reads it. Another version or an unknown opcode decode to what the
 * server must refuse (result 1 or 5); a response (opcode 128 and above, which a server silently
 * ignores per RFC 6886 §3.5) or a wrong length throws an `InvalidResponseError`.
 */
export function decodeNatPmpRequest(bytes: Uint8Array): DecodedNatPmpRequest {
  const buffer = bufferOf(bytes);
  if (buffer.length < 2) malformed("NAT-PMP", `a request has at least 2 bytes, got ${buffer.length}`);
  const [version, opcode] = [buffer[0]!, buffer[1]!];
  if (opcode >= NATPMP_RESPONSE_BIT) malformed("NAT-PMP", `opcode ${opcode} is a response, not a request`);
  if (version !== NATPMP_VERSION) return { kind: "unsupported-version", version, opcode };
  if (opcode === natPmpOpcodes.externalAddress) {
    if (buffer.length !== 2) malformed("NAT-PMP", `an external address request has 2 bytes, got ${buffer.length}`);
    return { kind: "external-address" };
  }
  const protocol = protocolOfOpcode(opcode);
  if (protocol === undefined) return { kind: "unsupported-opcode", opcode };
  if (buffer.length !== 12) malformed("NAT-PMP", `a mapping request has 12 bytes, got ${buffer.length}`);
  return {
    kind: "map",
    protocol,
    internalPort: buffer.readUInt16BE(4),
    suggestedExternalPort: buffer.readUInt16BE(6),
    lifetimeSeconds: buffer.readUInt32BE(8),
  };
}
