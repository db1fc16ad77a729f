import { IGDStatus } from "../compat/result-codes.js";
import { PortholeError } from "../errors/errors.js";
import * as igd from "../igd/igd-client.js";
import { addressScope, type AddressScope } from "../util/address.js";
import type { CallOptions } from "../util/deadline.js";

/**
 * How good a gateway is for port mapping, in miniupnpc's order (UPNP_GetValidIGD):
 * 1 connected with a public external address; 2 connected with a private or CGNAT one (double
 * NAT: mappings work on this router but are not reachable from the internet); 3 not connected;
 * 4 did not answer either status question.
 */
export type GatewayRank = 1 | 2 | 3 | 4;

export interface GatewayStatus {
  rank: GatewayRank;
  /** Connected per GetStatusInfo, or — when GetStatusInfo fails — per a usable external address. */
  connected: boolean;
  /** `NewConnectionStatus` as the router said it ("Connected", "Disconnected", ...), if it answered. */
  connectionStatus: string | undefined;
  externalAddress: string | undefined;
  externalAddressScope: AddressScope | undefined;
  /**
   * Connected, but the external address is not public or not given: another NAT sits between this
   * gateway and the internet, so mappings are not reachable from it (rank 2).
   */
  doubleNat: boolean;
  /** Failures that did not stop the probe (e.g. a GetStatusInfo that TP-Link routers fail: godot#70458). */
  problems: PortholeError[];
}

/** The engine's validity code for a probed gateway. */
export function igdStatusOf(status: GatewayStatus): IGDStatus {
  return status.rank <= 2 ? IGDStatus.OK : IGDStatus.DISCONNECTED;
}

function settledError(result: PromiseSettledResult<unknown>): PortholeError | undefined {
  if (result.status === "fulfilled") return undefined;
  if (result.reason instanceof PortholeError) return result.reason;
  throw result.reason;
}

/**
 * Asks GetStatusInfo and GetExternalIPAddress at once. Neither failing is fatal on its own:
 * routers that fail GetStatusInfo often map fine (godot#25008, #87953, miniupnp#634).
 */
export async function probeConnection(endpoint: igd.ServiceEndpoint, options?: CallOptions): Promise<GatewayStatus> {
  const [statusInfo, externalAddress] = await Promise.allSettled([
    igd.getStatusInfo(endpoint, options),
    igd.getExternalIPAddress(endpoint, options),
  ]);
  options?.signal?.throwIfAborted();
  const problems = [settledError(statusInfo), settledError(externalAddress)].filter((e) => e !== undefined);
  const connectionStatus = statusInfo.status === "fulfilled" ? statusInfo.value.connectionStatus : undefined;
  const address = externalAddress.status === "fulfilled" && externalAddress.value !== "" ? externalAddress.value : undefined;
  const scope = address === undefined ? undefined : addressScope(address);
  const usableAddress = scope !== undefined && scope !== "unspecified" && scope !== "invalid";
  const connected = connectionStatus !== undefined ? connectionStatus === "Connected" : usableAddress;
  const rank: GatewayRank =
    statusInfo.status === "rejected" && externalAddress.status === "rejected"
      ? 4
      : !connected
        ? 3
        : scope === "public"
          ? 1
          : 2;
  return {
    rank,
    connected,
    connectionStatus,
    externalAddress: address,
    externalAddressScope: scope,
    // A connected gateway without a public address, or one that will not say it (miniupnpd with a
    // reserved WAN address answers ""), sits behind another NAT, as miniupnpc also judges.
    doubleNat: rank === 2,
    problems,
  };
}
