import { InvalidArgumentError } from "../errors/errors.js";
import { bufferOf, checkField, malformed } from "../net/wire-fields.js";
import { checkMessageSize, decodeMapFields, decodeOptions, encodeMapFields, encodeOptions, joinMessage } from "./pcp-fields.js";
import { PCP_HEADER_BYTES, PCP_MAP_BYTES, PCP_RESPONSE_BIT, PCP_VERSION, pcpOpcodes, type PcpResponse } from "./pcp-messages.js";

const UNSUPP_VERSION = 1;

/** The bytes of a PCP response or unsolicited ANNOUNCE (RFC 6887 §7.2, §11.1, §14.1). */
export function encodePcpResponse(response: PcpResponse): Uint8Array {
  const header = Buffer.alloc(PCP_HEADER_BYTES);
  header[0] = checkField("version", response.version, 8);
  const opcode = response.kind === "map" ? pcpOpcodes.map : response.kind === "announce" ? pcpOpcodes.announce : response.opcode;
  header[1] = PCP_RESPONSE_BIT | checkField("opcode", opcode, 7);
  // Byte 2 is reserved and stays 0.
  header[3] = checkField("resultCode", response.resultCode, 8);
  header.writeUInt32BE(checkField("lifetimeSeconds", response.lifetimeSeconds, 32), 4);
  header.writeUInt32BE(checkField("epochSeconds", response.epochSeconds, 32), 8);
  // Bytes 12-23 are reserved and stay 0.
  if (response.kind === "error") {
    if (response.resultCode === 0) throw new InvalidArgumentError("a response without the opcode's fields must carry a non-zero result code");
    return header;
  }
  return joinMessage([header, ...(response.kind === "map" ? [encodeMapFields(response.map)] : []), encodeOptions(response.options)]);
}

/**
 * A PCP response as a client reads it (RFC 6887 §8.3): 24 to 1100 bytes, a multiple of 4,
 * version 2 (any version in an UNSUPP_VERSION refusal), the R bit set, MAP's fields whole, options
 * well formed. A refusal may come as a header alone. Anything else throws an `InvalidResponseError`.
 */
export function decodePcpResponse(bytes: Uint8Array): PcpResponse {
  const buffer = bufferOf(bytes);
  checkMessageSize(buffer);
  const version = buffer[0]!;
  const resultCode = buffer[3]!;
  if (version !== PCP_VERSION && resultCode !== UNSUPP_VERSION) malformed("PCP", `version ${version}, not ${PCP_VERSION}`);
  if ((buffer[1]! & PCP_RESPONSE_BIT) === 0) malformed("PCP", "the R bit is clear: a request, not a response");
  const opcode = buffer[1]! & ~PCP_RESPONSE_BIT;
  const header = { version, resultCode, lifetimeSeconds: buffer.readUInt32BE(4), epochSeconds: buffer.readUInt32BE(8) };
  const body = buffer.subarray(PCP_HEADER_BYTES);
  const refusal = resultCode !== 0;
  // Another version's fields cannot be read, nor an unknown opcode's; a refusal may omit them.
  if (refusal && (version !== PCP_VERSION || (opcode !== pcpOpcodes.announce && opcode !== pcpOpcodes.map) || body.length === 0)) {
    return { kind: "error", opcode, ...header };
  }
  if (opcode === pcpOpcodes.announce) return { kind: "announce", ...header, options: decodeOptions(body) };
  if (opcode !== pcpOpcodes.map) return malformed("PCP", `a successful response to opcode ${opcode}, which porthole never sends`);
  if (body.length < PCP_MAP_BYTES) malformed("PCP", `MAP has ${PCP_MAP_BYTES} bytes of fields, got ${body.length}`);
  return { kind: "map", ...header, map: decodeMapFields(body), options: decodeOptions(body.subarray(PCP_MAP_BYTES)) };
}
