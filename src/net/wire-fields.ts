import { InvalidArgumentError, InvalidResponseError } from "../errors/errors.js";

/** Shared checks of the binary codecs (NAT-PMP, PCP): every field fits its width, or the caller hears why. */

/** A whole number that fits `bits` unsigned bits, for a field named `name`. */
export function checkField(name: string, value: number, bits: 7 | 8 | 16 | 32): number {
  if (!Number.isInteger(value) || value < 0 || value > 2 ** bits - 1) {
    throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${2 ** bits - 1}, got ${value}`, name.includes("port") ? "port" : "value");
  }
  return value;
}

/** A Buffer view of `bytes` (no copy), for its big-endian readers. */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Throws an `InvalidResponseError` naming the protocol and the problem. */
export function malformed(protocol: string, problem: string): never {
  throw new InvalidResponseError(`malformed ${protocol} message: ${problem}`);
}
