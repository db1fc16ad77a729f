/**
 * What a NAT-PMP or PCP decoder may return, checked field by field, and the round trip: a value
 * encoded again must decode to itself (and a NAT-PMP response, which has no reserved bits, to the
 * very bytes it came from). A string names what is wrong; undefined means well formed.
 */
import { isIP, isIPv4 } from "node:net";
import { isDeepStrictEqual } from "node:util";
import type { GatewayAnnouncement } from "../../src/port-control/gateway-announcement.js";
import type { DecodedNatPmpRequest, NatPmpResponse } from "../../src/natpmp/natpmp-messages.js";
import { decodeNatPmpRequest, encodeNatPmpRequest } from "../../src/natpmp/natpmp-requests.js";
import { encodeNatPmpResponse } from "../../src/natpmp/natpmp-responses.js";
import type { DecodedPcpRequest, PcpMapFields, PcpOption, PcpResponse } from "../../src/pcp/pcp-messages.js";
import { decodePcpRequest, encodePcpRequest } from "../../src/pcp/pcp-requests.js";
import { decodePcpResponse, encodePcpResponse } from "../../src/pcp/pcp-responses.js";

const fits = (value: unknown, bits: number): boolean => Number.isInteger(value) && (value as number) >= 0 && (value as number) < 2 ** bits;

/** The first problem found among `checks`, each a condition and what it means when false. */
function firstProblem(checks: ReadonlyArray<readonly [boolean, string]>): string | undefined {
  return checks.find(([ok]) => !ok)?.[1];
}

function roundTrip<T>(value: T, encode: (value: T) => Uint8Array, decode: (bytes: Uint8Array) => unknown): string | undefined {
  const again = decode(encode(value));
  return isDeepStrictEqual(again, value) ? undefined : `re-encoded, it decodes to ${JSON.stringify(again)} instead`;
}

export function checkNatPmpResponse(response: NatPmpResponse, input: Buffer): string | undefined {
  const problem = firstProblem([
    [fits(response.resultCode, 16), `result code ${response.resultCode}`],
    [fits(response.epochSeconds, 32), `epoch ${response.epochSeconds}`],
    [response.kind !== "external-address" || isIPv4(response.externalAddress), "external address not IPv4"],
    [response.kind !== "map" || (fits(response.internalPort, 16) && fits(response.externalPort, 16) && fits(response.lifetimeSeconds, 32)), "map fields out of range"],
    [response.kind !== "map" || response.protocol === "UDP" || response.protocol === "TCP", "protocol"],
    [response.kind !== "error" || (fits(response.opcode, 7) && response.resultCode !== 0), "error without a result code"],
  ]);
  if (problem !== undefined) return problem;
  return Buffer.from(encodeNatPmpResponse(response)).equals(input) ? undefined : "re-encoded, the bytes differ";
}

export function checkNatPmpRequest(request: DecodedNatPmpRequest): string | undefined {
  if (request.kind === "unsupported-version") return firstProblem([[request.version !== 0 && fits(request.version, 8) && fits(request.opcode, 7), "unsupported version"]]);
  if (request.kind === "unsupported-opcode") return firstProblem([[request.opcode > 2 && fits(request.opcode, 7), `opcode ${request.opcode}`]]);
  return roundTrip(request, encodeNatPmpRequest, decodeNatPmpRequest);
}

function checkMapFields(map: PcpMapFields): string | undefined {
  return firstProblem([
    [map.nonce instanceof Uint8Array && map.nonce.length === 12, "nonce not 12 bytes"],
    [fits(map.protocol, 8) && fits(map.internalPort, 16) && fits(map.externalPort, 16), "map fields out of range"],
    [isIP(map.externalAddress) !== 0, `external address ${map.externalAddress}`],
  ]);
}

function checkOptions(options: readonly PcpOption[]): string | undefined {
  return options.every((option) => fits(option.code, 8) && option.data instanceof Uint8Array && option.data.length <= 1100) ? undefined : "an option out of range";
}

export function checkPcpResponse(response: PcpResponse): string | undefined {
  const problem = firstProblem([
    [fits(response.version, 8) && fits(response.resultCode, 8), "version or result out of range"],
    [response.version === 2 || response.resultCode === 1, `version ${response.version} without UNSUPP_VERSION`],
    [fits(response.lifetimeSeconds, 32) && fits(response.epochSeconds, 32), "lifetime or epoch out of range"],
    [response.kind !== "error" || (response.resultCode !== 0 && fits(response.opcode, 7)), "error without a result code"],
  ]);
  if (problem !== undefined) return problem;
  if (response.kind !== "error") {
    const fields = checkOptions(response.options) ?? (response.kind === "map" ? checkMapFields(response.map) : undefined);
    if (fields !== undefined) return fields;
  }
  return roundTrip(response, encodePcpResponse, decodePcpResponse);
}

export function checkPcpRequest(request: DecodedPcpRequest): string | undefined {
  if (request.kind === "unsupported-version") return firstProblem([[request.version !== 2 && fits(request.version, 8) && fits(request.opcode, 7), "unsupported version"]]);
  const problem = firstProblem([
    [fits(request.lifetimeSeconds, 32), "lifetime"],
    [isIP(request.clientAddress) !== 0, `client address ${request.clientAddress}`],
  ]);
  if (problem !== undefined) return problem;
  if (request.kind === "unsupported-opcode") return firstProblem([[request.opcode > 1 && fits(request.opcode, 7) && request.body.length <= 1076, "unsupported opcode"]]);
  return checkOptions(request.options) ?? (request.kind === "map" ? checkMapFields(request.map) : undefined) ?? roundTrip(request, encodePcpRequest, decodePcpRequest);
}

export function checkAnnouncement(announcement: GatewayAnnouncement | undefined): string | undefined {
  if (announcement === undefined) return undefined;
  return firstProblem([
    [fits(announcement.epochSeconds, 32), "epoch out of range"],
    [announcement.protocol === "pcp" || isIPv4(announcement.externalAddress), "NAT-PMP announcement without an IPv4 address"],
  ]);
}
