import { PortholeError, type PortholeErrorCode } from "../errors/errors.js";

/**
 * Failures that say nothing came back from the gateway, or nothing usable: no connection, no
 * answer in time, a garbled or unexpected reply, a control URL that is gone. The gateway may have
 * moved (another HTTP port, another address) or be down: find it again. Any other failure is the
 * gateway's answer (it refused), told by the protocol's own error code.
 */
const unreachableCodes: ReadonlySet<PortholeErrorCode> = new Set<PortholeErrorCode>([
  "PORTHOLE_TIMEOUT",
  "PORTHOLE_HTTP_ERROR",
  "PORTHOLE_EMPTY_DESCRIPTION",
  "PORTHOLE_INVALID_RESPONSE",
  "PORTHOLE_SOCKET_ERROR",
  "PORTHOLE_NO_GATEWAY",
]);

export function isGatewayUnreachable(error: unknown): boolean {
  return error instanceof PortholeError && unreachableCodes.has(error.code);
}

/** What a mapper threw, as an Error (a mapper written by someone else may throw anything). */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
