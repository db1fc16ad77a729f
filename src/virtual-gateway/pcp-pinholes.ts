import type { TransportProtocol } from "../mapping/port-mapper.js";
import type { PcpRequest } from "../pcp/pcp-messages.js";
import type { GatewayState } from "./action-context.js";
import { pcpResults } from "./pcp-results.js";
import { openPinhole } from "./pinhole-actions.js";
import { pcpDescription } from "./port-control-mappings.js";
import type { PinholeFlow } from "./pinhole-table.js";

type MapRequest = Extract<PcpRequest, { kind: "map" }>;

/** How a MAP for an IPv6 client was answered; `externalPort` when the answer carries another port than the request's. */
export interface PinholeAnswer {
  readonly resultCode: number;
  readonly externalPort?: number;
}

/** The pinhole a MAP names: from any remote host and port to the client's own address and internal port. */
function flowOf(request: MapRequest, protocol: TransportProtocol): PinholeFlow {
  return { remoteHost: "", remotePort: 0, internalClient: request.clientAddress, internalPort: request.map.internalPort, protocol };
}

/**
 * A MAP from an IPv6 client: no translation but a pinhole to its own address and internal port, in
 * the firewall WANIPv6FirewallControl opens pinholes in too (miniupnpd 2.3.1, pcpserver.c
 * CreatePCPMap_FW and DeletePCPMap). The pinhole keeps the nonce it was opened with: unlike a NAT
 * mapping, a renewal with another nonce does not take it over, and only that nonce deletes it.
 */
export function answerPinholeMap(state: GatewayState, request: MapRequest, protocol: TransportProtocol | undefined, lifetimeSeconds: number): PinholeAnswer {
  const { map } = request;
  if (request.lifetimeSeconds === 0) return { resultCode: deletePinhole(state, request, protocol) };
  if (map.internalPort === 0) return { resultCode: pcpResults.malformedRequest };
  if (protocol === undefined) return { resultCode: pcpResults.unsuppProtocol };
  const flow = flowOf(request, protocol);
  const renewal = state.pinholes.findFlow(flow) !== undefined;
  const pinhole = openPinhole(state, flow, lifetimeSeconds, pcpDescription(map.nonce));
  if (pinhole === undefined) return { resultCode: pcpResults.noResources };
  // miniupnpd sets the external port only for a new pinhole; a renewal answers the port suggested.
  return renewal ? { resultCode: pcpResults.success } : { resultCode: pcpResults.success, externalPort: map.internalPort };
}

/**
 * miniupnpd's DeletePCPMap for a pinhole: nothing to delete is a success (it leaves the result
 * as it was), another nonce than the pinhole's is NOT_AUTHORIZED (RFC 6887 §15), as is every
 * nonce once the `pinholeRenewalLosesPcpNonce` bug lost it, and any pinhole UPnP opened.
 */
function deletePinhole(state: GatewayState, request: MapRequest, protocol: TransportProtocol | undefined): number {
  const pinhole = protocol === undefined ? undefined : state.pinholes.findFlow(flowOf(request, protocol));
  if (pinhole === undefined) return pcpResults.success;
  if (!state.config.quirks.ignorePcpNonce && pinhole.description !== pcpDescription(request.map.nonce)) return pcpResults.notAuthorized;
  state.pinholes.delete(pinhole.uniqueId);
  return pcpResults.success;
}
