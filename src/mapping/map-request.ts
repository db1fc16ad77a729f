import { InvalidArgumentError } from "../errors/errors.js";
import { checkBoolean, checkCallOptions, checkPort, checkRequiredObject, checkString, checkWholeNumber } from "../util/check-arguments.js";
import type { CallOptions } from "../util/deadline.js";
import type { MappingKey, MapRequest, TransportProtocol } from "./port-mapper.js";

/** Lease asked for when the caller names none: finite, so a crashed program leaves nothing for long (net-tools#52). */
export const DEFAULT_MAPPING_LEASE_SECONDS = 3600;

/** A `MapRequest` checked, with its defaults filled in. */
export interface CheckedMapRequest {
  protocol: TransportProtocol;
  internalPort: number;
  externalPort: number;
  leaseSeconds: number;
  anyPort: boolean;
}

/** "TCP" or "UDP" in any case, as upper case (tailscale#7377: gateways want upper case). */
function checkProtocol(value: unknown): TransportProtocol {
  const upper = typeof value === "string" ? value.toUpperCase() : undefined;
  if (upper !== "TCP" && upper !== "UDP") throw new InvalidArgumentError(`protocol must be "TCP" or "UDP", got ${typeof value === "string" ? JSON.stringify(value.slice(0, 16)) : typeof value}`, "protocol");
  return upper;
}

/** Checks a `MapRequest` and its call options at the API's edge, before any traffic. */
export function checkMapRequest(request: MapRequest, options: CallOptions | undefined): CheckedMapRequest {
  checkRequiredObject("request", request);
  checkCallOptions(options);
  checkString("description", request.description);
  const internalPort = checkPort("internalPort", request.internalPort);
  return {
    protocol: checkProtocol(request.protocol),
    internalPort,
    // Never 0 ("any port"): RouterOS refuses a NAT-PMP request that suggests 0 (tailscale#13785).
    externalPort: request.externalPort === undefined ? internalPort : checkPort("externalPort", request.externalPort),
    leaseSeconds: request.leaseSeconds === undefined ? DEFAULT_MAPPING_LEASE_SECONDS : checkWholeNumber("leaseSeconds", request.leaseSeconds, 0, 0xffffffff, "lease"),
    anyPort: checkBoolean("anyPort", request.anyPort) ?? true,
  };
}

/** Checks a `MappingKey` and its call options. */
export function checkMappingKey(key: MappingKey, options: CallOptions | undefined): { protocol: TransportProtocol; internalPort: number; externalPort: number } {
  checkRequiredObject("key", key);
  checkCallOptions(options);
  return { protocol: checkProtocol(key.protocol), internalPort: checkPort("internalPort", key.internalPort), externalPort: checkPort("externalPort", key.externalPort) };
}

/**
 * The lifetime NAT-PMP and PCP are asked for a lease. Neither has permanent mappings: a lifetime
 * of 0 deletes (RFC 6886 §3.4, RFC 6887 §15). So a lease of 0 ("permanent where the protocol has
 * one") asks for the longest lifetime the field holds; the gateway grants what it allows
 * (miniupnpd: PCP at most 86400 s) and the mapping reports that.
 */
export function lifetimeForLease(leaseSeconds: number): number {
  return leaseSeconds === 0 ? 0xffffffff : leaseSeconds;
}
