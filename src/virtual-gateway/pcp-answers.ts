import { isIPv4 } from "node:net";
import { InvalidResponseError } from "../errors/errors.js";
import type { TransportProtocol } from "../mapping/port-mapper.js";
import { addressToBytes } from "../net/address-bytes.js";
import { PCP_HEADER_BYTES, PCP_MAP_BYTES, PCP_RESPONSE_BIT, PCP_VERSION, pcpOpcodes, pcpOptionCodes, type DecodedPcpRequest, type PcpOption, type PcpRequest } from "../pcp/pcp-messages.js";
import { decodePcpRequest } from "../pcp/pcp-requests.js";
import { encodePcpResponse } from "../pcp/pcp-responses.js";
import { epochSeconds, type GatewayState } from "./action-context.js";
import { answerPinholeMap } from "./pcp-pinholes.js";
import { pcpResults } from "./pcp-results.js";
import type { PortControlAnswer } from "./port-control-answer.js";
import { findExternalPort, pcpDescription, storePortControlMapping } from "./port-control-mappings.js";

/**
 * The PCP server (RFC 6887) as miniupnpd 2.3.1 runs it (pcpserver.c), over the gateway's one
 * mapping table: ANNOUNCE and MAP. Its answers are written over the request as miniupnpd writes
 * them, so a refusal carries the request's fields and options back (RFC 6887 §7.2). An IPv6 MAP
 * opens a firewall pinhole (pcp-pinholes.ts). Where it differs: PCP's draft version 1 and PEER are
 * refused (UNSUPP_VERSION, UNSUPP_OPCODE), and a MAP of a protocol other than TCP or UDP is
 * UNSUPP_PROTOCOL.
 */

/** miniupnpd's defaults of `min_lifetime` and `max_lifetime`. */
const defaultMinLifetimeSeconds = 120;
const defaultMaxLifetimeSeconds = 86400;

const protocolOfNumber: Readonly<Record<number, TransportProtocol>> = { 6: "TCP", 17: "UDP" };

type MapRequest = Extract<PcpRequest, { kind: "map" }>;

/** RFC 6887 §7.2: an error that may pass (no resources, network failure) lasts 30 s, as miniupnpd says; others 0; a success its lifetime. */
function answerLifetime(resultCode: number, lifetime: number): number {
  if (resultCode === pcpResults.success) return lifetime;
  return resultCode === pcpResults.networkFailure || resultCode === pcpResults.noResources ? 30 : 0;
}

/** The lifetime granted: 0 (a delete) stays 0, others are clamped as miniupnpd clamps them, even for ANNOUNCE. */
function grantedLifetime(state: GatewayState, asked: number): number {
  if (asked === 0) return 0;
  const { pcpMinLifetimeSeconds = defaultMinLifetimeSeconds, pcpMaxLifetimeSeconds = defaultMaxLifetimeSeconds } = state.config.quirks;
  return Math.min(pcpMaxLifetimeSeconds, Math.max(pcpMinLifetimeSeconds, asked));
}

/** A refusal's header followed by the request's bytes after its header, padded to 4 bytes: miniupnpd writes its answer over the request. */
function refusal(state: GatewayState, message: Buffer, header: { version: number; opcode: number; resultCode: number }): PortControlAnswer {
  const bytes = encodePcpResponse({ kind: "error", ...header, lifetimeSeconds: answerLifetime(header.resultCode, 0), epochSeconds: epochSeconds(state) });
  const body = message.subarray(Math.min(PCP_HEADER_BYTES, message.length));
  const reply = Buffer.concat([bytes, body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  return { reply, activity: { type: "pcp", request: "other", resultCode: header.resultCode } };
}

/** The unsolicited ANNOUNCE a server sends when it starts or lost its state (RFC 6887 §14.1.1). */
export function pcpAnnouncement(state: GatewayState): Uint8Array {
  return encodePcpResponse({ kind: "announce", version: PCP_VERSION, resultCode: pcpResults.success, lifetimeSeconds: 0, epochSeconds: epochSeconds(state), options: [] });
}

/**
 * Answers one datagram as a PCP server, in miniupnpd's order: under 3 bytes or a response (R bit):
 * silence; under 24 bytes or not a multiple of 4: MALFORMED_REQUEST, with version and opcode 0
 * since miniupnpd never read the header; another version: UNSUPP_VERSION with version 2. A NAT-PMP
 * request where the gateway does not speak NAT-PMP gets UNSUPP_VERSION too, whatever its length
 * (RFC 6887 §9): that is how a client learns to speak PCP.
 */
export function answerPcp(state: GatewayState, message: Buffer, from: { address: string }, natPmpSpoken: boolean): PortControlAnswer {
  const silent: PortControlAnswer = { reply: undefined, activity: { type: "pcp", request: "other", resultCode: undefined } };
  if (message.length < 2 || (message[1]! & PCP_RESPONSE_BIT) !== 0) return silent;
  const [version, opcode] = [message[0]!, message[1]!];
  if (version === 0 && !natPmpSpoken) return refusal(state, message, { version: PCP_VERSION, opcode, resultCode: pcpResults.unsuppVersion });
  if (message.length < 3) return silent;
  if (message.length < PCP_HEADER_BYTES || message.length % 4 !== 0) return refusal(state, message, { version: 0, opcode: 0, resultCode: pcpResults.malformedRequest });
  if (version !== PCP_VERSION) return refusal(state, message, { version: PCP_VERSION, opcode, resultCode: pcpResults.unsuppVersion });
  let request: DecodedPcpRequest;
  try {
    request = decodePcpRequest(message);
  } catch (error) {
    if (!(error instanceof InvalidResponseError)) throw error;
    // Sizes were checked: a MAP too short for its fields, or options that do not parse.
    const resultCode = opcode === pcpOpcodes.map && message.length < PCP_HEADER_BYTES + PCP_MAP_BYTES ? pcpResults.malformedRequest : pcpResults.malformedOption;
    return refusal(state, message, { version, opcode, resultCode });
  }
  switch (request.kind) {
    case "unsupported-version":
      return refusal(state, message, { version: PCP_VERSION, opcode, resultCode: pcpResults.unsuppVersion });
    case "unsupported-opcode":
      return refusal(state, message, { version, opcode, resultCode: pcpResults.unsuppOpcode });
    case "announce": {
      // RFC 6887 §14.1: the answer is the epoch; miniupnpd does not look at the client address.
      const reply = encodePcpResponse({ kind: "announce", version, resultCode: pcpResults.success, lifetimeSeconds: grantedLifetime(state, request.lifetimeSeconds), epochSeconds: epochSeconds(state), options: request.options });
      return { reply, activity: { type: "pcp", request: "announce", resultCode: pcpResults.success } };
    }
    case "map":
      return answerMap(state, request, from.address);
  }
}

/** What a server must know of the options before it acts (RFC 6887 §13, miniupnpd's parsePCPOption). */
function readOptions(options: readonly PcpOption[]): { resultCode: number | undefined; preferFailure: boolean; thirdParty: boolean } {
  let preferFailure = false;
  let thirdParty = false;
  for (const option of options) {
    if (option.code === pcpOptionCodes.thirdParty || option.code === pcpOptionCodes.preferFailure) {
      const seen = option.code === pcpOptionCodes.thirdParty ? thirdParty : preferFailure;
      if (seen) return { resultCode: pcpResults.malformedOption, preferFailure, thirdParty };
      if (option.code === pcpOptionCodes.thirdParty) thirdParty = true;
      else preferFailure = true;
    } else if (option.code !== pcpOptionCodes.filter && option.code < 128) {
      // Options below 128 must be understood (RFC 6887 §7.3); FILTER is accepted and ignored, as miniupnpd does.
      return { resultCode: pcpResults.unsuppOption, preferFailure, thirdParty };
    }
  }
  return { resultCode: undefined, preferFailure, thirdParty };
}

function sameAddress(a: string, b: string): boolean {
  return Buffer.from(addressToBytes(a)).equals(addressToBytes(b));
}

const unspecifiedAddresses: ReadonlySet<string> = new Set(["0.0.0.0", "::"]);

function answerMap(state: GatewayState, request: MapRequest, sender: string): PortControlAnswer {
  const { map } = request;
  const lifetime = grantedLifetime(state, request.lifetimeSeconds);
  // The fields the answer carries: the request's, until the server assigns them.
  let externalPort = map.externalPort;
  let externalAddress = map.externalAddress;
  const answer = (resultCode: number): PortControlAnswer => ({
    reply: encodePcpResponse({
      kind: "map",
      version: PCP_VERSION,
      resultCode,
      lifetimeSeconds: answerLifetime(resultCode, lifetime),
      epochSeconds: epochSeconds(state),
      map: { ...map, externalPort, externalAddress },
      options: request.options,
    }),
    activity: {
      type: "pcp",
      request: "map",
      mapping: { protocol: protocolOfNumber[map.protocol] ?? map.protocol, internalPort: map.internalPort, suggestedExternalPort: map.externalPort, lifetimeSeconds: request.lifetimeSeconds },
      ...(resultCode === pcpResults.success ? { granted: { externalPort, lifetimeSeconds: lifetime } } : {}),
      resultCode,
    },
  });

  // miniupnpd's ValidatePCPMsg, in its order.
  const options = readOptions(request.options);
  if (options.resultCode !== undefined) return answer(options.resultCode);
  if (!sameAddress(request.clientAddress, sender)) return answer(pcpResults.addressMismatch);
  // Mappings for another host (THIRD_PARTY) are off, as miniupnpd's allow_third_party is by default.
  if (options.thirdParty) return answer(pcpResults.unsuppOption);
  if (map.protocol === 0 && map.internalPort !== 0) return answer(pcpResults.malformedRequest);
  const suggestsNothing = unspecifiedAddresses.has(map.externalAddress);
  if (options.preferFailure && suggestsNothing && map.externalPort === 0) return answer(pcpResults.malformedOption);
  // An IPv4 client is NATed to the external address; an IPv6 one would get a pinhole on its own address.
  const nat = isIPv4(request.clientAddress);
  if (nat && !isIPv4(state.externalAddress)) return answer(pcpResults.networkFailure);
  const ownExternalAddress = nat ? state.externalAddress : request.clientAddress;
  if (suggestsNothing || !sameAddress(map.externalAddress, ownExternalAddress)) {
    // RFC 6887 §11.3: a suggested address is only a hint, unless the client prefers failure.
    if (!suggestsNothing && options.preferFailure) return answer(pcpResults.cannotProvideExternal);
    externalAddress = ownExternalAddress;
  }
  const protocol = protocolOfNumber[map.protocol];
  if (!nat) {
    const pinhole = answerPinholeMap(state, request, protocol, lifetime);
    externalPort = pinhole.externalPort ?? externalPort;
    return answer(pinhole.resultCode);
  }
  if (request.lifetimeSeconds === 0) return answer(deleteMapping(state, request, protocol));
  if (externalPort === 0) externalPort = map.internalPort;
  if (externalPort === 0) return answer(pcpResults.malformedRequest);
  if (protocol === undefined) return answer(pcpResults.unsuppProtocol);
  const found = findExternalPort(state, { protocol, internalClient: sender, internalPort: map.internalPort, firstPort: externalPort, preferFailure: options.preferFailure });
  if (found.kind === "cannot-provide") return answer(pcpResults.cannotProvideExternal);
  if (found.kind === "refused") return answer(pcpResults.notAuthorized);
  if (found.kind === "exhausted") return answer(pcpResults.noResources);
  externalPort = found.externalPort;
  // A renewal with any nonce takes the mapping over (miniupnpd 2.3.1, measured): the nonce is replaced.
  const failure = storePortControlMapping(state, { protocol, externalPort, internalClient: sender, internalPort: map.internalPort, description: pcpDescription(map.nonce), lifetimeSeconds: lifetime });
  return answer(failure === undefined ? pcpResults.success : pcpResults.noResources);
}

/**
 * miniupnpd's DeletePCPMap: the first mapping of this client, protocol and internal port (any
 * internal port for 0), whoever made it; only the nonce it was made with may delete it, else
 * NOT_AUTHORIZED (RFC 6887 §15). Nothing found is NO_RESOURCES (measured), not success.
 */
function deleteMapping(state: GatewayState, request: MapRequest, protocol: TransportProtocol | undefined): number {
  const { map } = request;
  const entry = state.table
    .entries()
    .find((candidate) => candidate.internalClient === request.clientAddress && candidate.protocol === protocol && (map.internalPort === 0 || candidate.internalPort === map.internalPort));
  if (entry === undefined) return pcpResults.noResources;
  if (!state.config.quirks.ignorePcpNonce && entry.description !== pcpDescription(map.nonce)) return pcpResults.notAuthorized;
  state.table.delete(entry.externalPort, entry.protocol);
  return pcpResults.success;
}
