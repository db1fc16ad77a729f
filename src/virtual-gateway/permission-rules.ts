import type { GatewayState } from "./action-context.js";

/** The first external port miniupnpd's default permission rules allow (tailscale#7377). */
export const lowestUnprivilegedPort = 1024;

/** May `externalPort` be mapped at all, by any protocol: the `rejectPortsBelow1024` quirk plays miniupnpd's permission rules. */
export function permittedExternalPort(state: GatewayState, externalPort: number): boolean {
  return !state.config.quirks.rejectPortsBelow1024 || externalPort >= lowestUnprivilegedPort;
}
