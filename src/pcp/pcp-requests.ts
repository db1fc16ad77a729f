import { addressFromBytes, addressToBytes } from "../net/address-bytes.js";
import { bufferOf, checkField, malformed } from "../net/wire-fields.js";
import { checkMessageSize, decodeMapFields, decodeOptions, encodeMapFields, encodeOptions, joinMessage } from "./pcp-fields.js";
import { PCP_HEADER_BYTES, PCP_MAP_BYTES, PCP_RESPONSE_BIT, PCP_VERSION, pcpOpcodes, type DecodedPcpRequest, type PcpRequest } from "./pcp-messages.js";

/** The bytes of a PCP request (RFC 6887 §7.1, §11.1, §14.1). */
export function encodePcpRequest(request: PcpRequest): Uint8Array {
  const header = Buffer.alloc(PCP_HEADER_BYTES);
  header[0] = PCP_VERSION;
  header[1] = request.kind === "map" ? pcpOpcodes.map : pcpOpcodes.announce;
  // Bytes 2-3 are reserved and stay 0.
  header.writeUInt32BE(checkField("lifetimeSeconds", request.lifetimeSeconds, 32), 4);
  header.set(addressToBytes(request.clientAddress), 8);
  return joinMessage([header, ...(request.kind === "map" ? [encodeMapFields(request.map)] : []), encodeOptions(request.options)]);
}

/**
 * A request as a PCP server reads it. Another version (the first byte, RFC 6887 §9) or another
 * opcode decode to what the server must refuse; a response (R bit set), a wrong size or a
 * malformed option throws an `InvalidResponseError`.
 */
export function decodePcpRequest(bytes: Uint8Array): DecodedPcpRequest {
  const buffer = bufferOf(bytes);
  if (buffer.length < 2) malformed("PCP", `a request has at least 2 bytes before its version can be read, got ${buffer.length}`);
  if ((buffer[1]! & PCP_RESPONSE_BIT) !== 0) malformed("PCP", "the R bit is set: a response, not a request");
  const opcode = buffer[1]!;
  if (buffer[0] !== PCP_VERSION) return { kind: "unsupported-version", version: buffer[0]!, opcode };
  checkMessageSize(buffer);
  const header = { lifetimeSeconds: buffer.readUInt32BE(4), clientAddress: addressFromBytes(buffer.subarray(8, 24)) };
  const body = buffer.subarray(PCP_HEADER_BYTES);
  if (opcode === pcpOpcodes.announce) return { kind: "announce", ...header, options: decodeOptions(body) };
  if (opcode !== pcpOpcodes.map) return { kind: "unsupported-opcode", opcode, ...header, options: [], body: Uint8Array.from(body) };
  if (body.length < PCP_MAP_BYTES) malformed("PCP", `MAP has ${PCP_MAP_BYTES} bytes of fields, got ${body.length}`);
  return { kind: "map", ...header, map: decodeMapFields(body), options: decodeOptions(body.subarray(PCP_MAP_BYTES)) };
}
