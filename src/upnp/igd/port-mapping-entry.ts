import { InvalidResponseError } from "../../errors/errors.js";
import type { TransportProtocol } from "../../mapping/port-mapper.js";

export type { TransportProtocol };

/** One row of a gateway's port mapping table. */
export interface PortMappingEntry {
  /** Remote host the mapping is limited to; "" = any. */
  remoteHost: string;
  externalPort: number;
  protocol: TransportProtocol;
  internalPort: number;
  internalClient: string;
  enabled: boolean;
  description: string;
  /** Remaining lease in seconds; 0 = permanent. */
  leaseSeconds: number;
}

/** An entry's fields as the router sent them, before checking. */
export type PortMappingEntryText = { [K in keyof PortMappingEntry]: string };

/** A whole number in 0..max from router text; anything else is an InvalidResponseError. */
export function parseRouterInteger(text: string, field: string, source: string, max: number): number {
  const trimmed = text.trim();
  const value = /^\d{1,10}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(value <= max)) {
    throw new InvalidResponseError(`${source}: ${field} is not a whole number 0..${max}: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return value;
}

/** A port (0..65535) from router text. */
export function parseRouterPort(text: string, field: string, source: string): number {
  return parseRouterInteger(text, field, source, 65535);
}

/** TCP or UDP in any case: routers differ in how they echo it. */
function parseRouterProtocol(text: string, source: string): TransportProtocol {
  const upper = text.trim().toUpperCase();
  if (upper === "TCP" || upper === "UDP") return upper;
  throw new InvalidResponseError(`${source}: protocol is neither TCP nor UDP: ${JSON.stringify(text.slice(0, 40))}`);
}

/** The spec says `1`/`0`; some routers write `true`/`false`. */
export function parseRouterBoolean(text: string, field: string, source: string): boolean {
  const lower = text.trim().toLowerCase();
  if (lower === "1" || lower === "true") return true;
  if (lower === "0" || lower === "false") return false;
  throw new InvalidResponseError(`${source}: ${field} is not a boolean: ${JSON.stringify(text.slice(0, 40))}`);
}

/** Checks and converts an entry the router sent; `source` names the action for error messages. */
export function toPortMappingEntry(fields: PortMappingEntryText, source: string): PortMappingEntry {
  return {
    remoteHost: fields.remoteHost.trim(),
    externalPort: parseRouterPort(fields.externalPort, "external port", source),
    protocol: parseRouterProtocol(fields.protocol, source),
    internalPort: parseRouterPort(fields.internalPort, "internal port", source),
    internalClient: fields.internalClient.trim(),
    enabled: parseRouterBoolean(fields.enabled, "enabled", source),
    description: fields.description,
    leaseSeconds: parseRouterInteger(fields.leaseSeconds, "lease duration", source, 0xffffffff),
  };
}
