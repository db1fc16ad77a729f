import { isIPv4 } from "node:net";
import { NATPMP_RESPONSE_BIT, natPmpOpcodes, protocolOfOpcode, type NatPmpRequest, type NatPmpResponse } from "../natpmp/natpmp-messages.js";
import { decodeNatPmpRequest } from "../natpmp/natpmp-requests.js";
import { encodeNatPmpResponse } from "../natpmp/natpmp-responses.js";
import { epochSeconds, type GatewayState } from "./action-context.js";
import type { PortControlAnswer } from "./port-control-answer.js";
import { findExternalPort, isNatPmpMapping, natPmpDescription, storePortControlMapping } from "./port-control-mappings.js";

/**
 * The NAT-PMP server (RFC 6886) as miniupnpd 2.3.1 runs it (natpmp.c), over the gateway's one
 * mapping table. Its quirks are kept: longer requests are read as far as their fields go, a
 * renewal is found only at the port it suggests, a delete removes only NAT-PMP's own mappings,
 * and lifetimes are granted as asked.
 */

/** Result codes of RFC 6886 §3.5. */
const natPmpResults = { success: 0, unsupportedVersion: 1, notAuthorized: 2, networkFailure: 3, outOfResources: 4, unsupportedOpcode: 5 } as const;

type MapRequest = Extract<NatPmpRequest, { kind: "map" }>;

const silent: PortControlAnswer = { reply: undefined, activity: { type: "natpmp", request: "other", resultCode: undefined } };

/** The answer to the external address request, also what the gateway announces (RFC 6886 §3.2.1). */
export function natPmpAddressResponse(state: GatewayState): Extract<NatPmpResponse, { kind: "external-address" }> {
  const header = { kind: "external-address", epochSeconds: epochSeconds(state) } as const;
  // miniupnpd without ext_ip checks the WAN interface's own address: a reserved one is result 3.
  if (state.config.quirks.privateWanAddress) return { ...header, resultCode: natPmpResults.networkFailure, externalAddress: "0.0.0.0" };
  // An address that is no IPv4 address leaves the field zero, as miniupnpd's inet_pton of a bad ext_ip does.
  return { ...header, resultCode: natPmpResults.success, externalAddress: isIPv4(state.externalAddress) ? state.externalAddress : "0.0.0.0" };
}

/**
 * Answers one datagram as a NAT-PMP server. Too short to read, or a response (opcode 128 and up):
 * silence, as RFC 6886 §3.5 and miniupnpd do. Another version: result 1; an unknown opcode: 5.
 */
export function answerNatPmp(state: GatewayState, message: Buffer, from: { address: string }): PortControlAnswer {
  if (message.length < 2) return silent;
  const opcode = message[1]!;
  if (opcode >= NATPMP_RESPONSE_BIT) return silent;
  if (protocolOfOpcode(opcode) !== undefined && message.length < 12) return silent;
  const request = decodeNatPmpRequest(message.subarray(0, opcode === natPmpOpcodes.externalAddress ? 2 : 12));
  switch (request.kind) {
    case "unsupported-version":
    case "unsupported-opcode": {
      const resultCode = request.kind === "unsupported-version" ? natPmpResults.unsupportedVersion : natPmpResults.unsupportedOpcode;
      const reply = encodeNatPmpResponse({ kind: "error", opcode, resultCode, epochSeconds: epochSeconds(state) });
      return { reply, activity: { type: "natpmp", request: "other", resultCode } };
    }
    case "external-address": {
      const response = natPmpAddressResponse(state);
      return { reply: encodeNatPmpResponse(response), activity: { type: "natpmp", request: "external-address", resultCode: response.resultCode } };
    }
    case "map":
      return answerMap(state, request, from.address);
  }
}

function answerMap(state: GatewayState, request: MapRequest, client: string): PortControlAnswer {
  const { quirks } = state.config;
  const { protocol, internalPort, suggestedExternalPort, lifetimeSeconds } = request;
  const answer = (resultCode: number, externalPort: number, lifetime: number): PortControlAnswer => ({
    reply: encodeNatPmpResponse({ kind: "map", resultCode, epochSeconds: epochSeconds(state), protocol, internalPort, externalPort, lifetimeSeconds: lifetime }),
    activity: {
      type: "natpmp",
      request: "map",
      mapping: { protocol, internalPort, suggestedExternalPort, lifetimeSeconds },
      ...(resultCode === natPmpResults.success ? { granted: { externalPort, lifetimeSeconds: lifetime } } : {}),
      resultCode,
    },
  });

  if (lifetimeSeconds === 0) {
    deleteNatPmpMappings(state, client, request);
    return answer(natPmpResults.success, 0, 0);
  }
  if (internalPort === 0) return answer(natPmpResults.notAuthorized, suggestedExternalPort, lifetimeSeconds);
  if (suggestedExternalPort === 0 && quirks.refuseNatPmpAnyPort) return answer(natPmpResults.outOfResources, 0, lifetimeSeconds);
  const firstPort = suggestedExternalPort === 0 ? internalPort : suggestedExternalPort;
  const found = findExternalPort(state, { protocol, internalClient: client, internalPort, firstPort, preferFailure: false });
  if (found.kind !== "found") return answer(found.kind === "refused" ? natPmpResults.notAuthorized : natPmpResults.outOfResources, firstPort, lifetimeSeconds);
  const granted = Math.min(lifetimeSeconds, quirks.natPmpMaxLifetimeSeconds ?? lifetimeSeconds);
  const failure = storePortControlMapping(state, {
    protocol,
    externalPort: found.externalPort,
    internalClient: client,
    internalPort,
    description: natPmpDescription(found.externalPort, protocol),
    lifetimeSeconds: granted,
  });
  // miniupnpd answers 3 to any redirect it cannot add; a full table is out of resources (RFC 6886 §3.5).
  if (failure !== undefined) return answer(failure === "private-wan" ? natPmpResults.networkFailure : natPmpResults.outOfResources, found.externalPort, lifetimeSeconds);
  return answer(natPmpResults.success, found.externalPort, granted);
}

/**
 * RFC 6886 §3.4 deletes the sender's mapping of that internal port; miniupnpd deletes only the
 * mappings NAT-PMP made (by their description), and with internal port 0 all of the sender's, of
 * both protocols. Nothing to delete is success too.
 */
function deleteNatPmpMappings(state: GatewayState, client: string, request: MapRequest): void {
  for (const entry of [...state.table.entries()]) {
    const matches = request.internalPort === 0 || (entry.internalPort === request.internalPort && entry.protocol === request.protocol);
    if (entry.internalClient === client && isNatPmpMapping(entry) && matches) state.table.delete(entry.externalPort, entry.protocol);
  }
}
