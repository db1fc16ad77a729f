import { PortholeError } from "../../errors/errors.js";
import * as igd from "../igd/igd-client.js";
import { addressScope, isUsableAddressScope, type AddressScope } from "../../net/address-scope.js";
import type { CallOptions } from "../../util/deadline.js";

/**
 * How good a WAN connection is for port mapping, best first, in miniupnpc's order
 * (UPNP_GetValidIGD) with one step added:
 * 1 connected, with a public external address;
 * 2 connected, behind another NAT: a private, CGNAT or reserved external address, or none given
 *   (miniupnpd blanks a reserved WAN address) — mappings work on this router but are not reachable
 *   from the internet;
 * 3 connected, but the external address is no address at all (`0.0.0.0`, loopback, link-local,
 *   text that is not an IP): the router has no usable WAN address;
 * 4 not connected;
 * 5 answered neither status question.
 */
export type GatewayRank = 1 | 2 | 3 | 4 | 5;

export interface GatewayStatus {
  rank: GatewayRank;
  /** Connected per GetStatusInfo, or — when GetStatusInfo fails — per a usable external address. */
  connected: boolean;
  /** `NewConnectionStatus` as the router said it ("Connected", "Disconnected", ...), if it answered. */
  connectionStatus: string | undefined;
  /** GetExternalIPAddress's answer; undefined when it failed or was empty. */
  externalAddress: string | undefined;
  externalAddressScope: AddressScope | undefined;
  /** Seconds since the WAN connection came up (`NewUptime`), when the router said it in a readable form. */
  uptimeSeconds: number | undefined;
  /**
   * Connected, but the external address is not public or not given: another NAT sits between this
   * gateway and the internet, so mappings are not reachable from it (rank 2).
   */
  doubleNat: boolean;
  /** Failures that did not stop the probe (e.g. a GetStatusInfo that TP-Link routers fail: godot#70458). */
  problems: PortholeError[];
}

/** True when `rank` is good enough to map ports on (connected with some WAN address). */
export function isUsableRank(rank: GatewayRank): boolean {
  return rank <= 2;
}

function settledError(result: PromiseSettledResult<unknown>): PortholeError | undefined {
  if (result.status === "fulfilled") return undefined;
  if (result.reason instanceof PortholeError) return result.reason;
  throw result.reason;
}

function rankOf(answeredAny: boolean, connected: boolean, scope: AddressScope | undefined): GatewayRank {
  if (!answeredAny) return 5;
  if (!connected) return 4;
  if (scope !== undefined && !isUsableAddressScope(scope)) return 3;
  return scope === "public" ? 1 : 2;
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
  // Only "Connected" is connected: "Connecting" and "PendingDisconnect" cannot forward yet or for long.
  const connected = connectionStatus !== undefined ? connectionStatus === "Connected" : scope !== undefined && isUsableAddressScope(scope);
  const rank = rankOf(problems.length < 2, connected, scope);
  return {
    rank,
    connected,
    connectionStatus,
    externalAddress: address,
    externalAddressScope: scope,
    uptimeSeconds: statusInfo.status === "fulfilled" ? statusInfo.value.uptimeSeconds : undefined,
    // A connected gateway without a public address, or one that will not say it (miniupnpd with a
    // reserved WAN address answers ""), sits behind another NAT, as miniupnpc also judges.
    doubleNat: rank === 2,
    problems,
  };
}
