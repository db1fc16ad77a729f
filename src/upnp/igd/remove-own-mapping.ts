import { HttpError, InvalidArgumentError, UpnpActionError } from "../../errors/errors.js";
import { NOT_SENT_CODE } from "../../http/http-request.js";
import {
  deletePortMapping,
  getSpecificPortMappingEntry,
  type AddPortMappingRequest,
  type PortMappingEntry,
  type ServiceEndpoint,
} from "./igd-client.js";
import { walkPortMappings } from "./port-table-walk.js";

/** Time budget of each request of a cleanup, independent of the failed call's budget or signal. */
export const cleanupTimeoutMs = 2000;
/** Time budget of the table walk that looks for a mapping AddAnyPortMapping may have made. */
const cleanupWalkTimeoutMs = 10000;

/**
 * Failures that happen before a byte of the request is sent: the connection never opened, or
 * httpRequest refused the request itself (NOT_SENT_CODE).
 */
const notConnectedCodes: ReadonlySet<string> = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", NOT_SENT_CODE]);

/**
 * Whether a failed AddPortMapping may still have taken effect on the router: the request may have
 * arrived even though no answer came back (time-out, reset, caller abort, a garbled reply). A UPnP
 * fault is the router's refusal, an invalid argument is refused before anything is sent, and a
 * connection that never opened carried nothing.
 */
export function outcomeIsUnknown(error: unknown): boolean {
  if (error instanceof UpnpActionError || error instanceof InvalidArgumentError) return false;
  const code = error instanceof HttpError ? (error.cause as NodeJS.ErrnoException | undefined)?.code : undefined;
  return code === undefined || !notConnectedCodes.has(code);
}

/**
 * Best-effort removal of a mapping whose AddPortMapping ended without a clear answer, so that a
 * failure never leaves a mapping the caller does not know about. Deletes only when the router
 * lists the mapping pointing at the same internal client and port: the same external port may
 * hold another client's mapping, which our failure must not remove. Runs on its own time budget
 * (the caller's signal may be the reason the add failed) and never throws.
 *
 * @returns true when the mapping was found and deleted
 */
export async function removeMappingIfOurs(service: ServiceEndpoint, request: AddPortMappingRequest): Promise<boolean> {
  const options = { timeoutMs: cleanupTimeoutMs };
  try {
    const entry = await getSpecificPortMappingEntry(service, request, options);
    if (entry.internalClient !== request.internalClient || entry.internalPort !== request.internalPort) return false;
    await deletePortMapping(service, request, options);
    return true;
  } catch {
    // Unreachable, or no such entry (714): nothing more can be done, and the lease bounds it.
    return false;
  }
}

/**
 * Best-effort removal after an AddAnyPortMapping that ended without a clear answer: the port the
 * router reserved is unknown (usually not the one asked for, which was taken), so the table is
 * walked for entries with our client, internal port, protocol and description, and those are
 * deleted unless `keep` says the caller already holds them. Never throws.
 *
 * @returns how many entries were deleted
 */
export async function removeAnyPortMappingIfOurs(
  service: ServiceEndpoint,
  request: AddPortMappingRequest,
  keep: (entry: PortMappingEntry) => boolean,
): Promise<number> {
  let removed = 0;
  try {
    const { entries } = await walkPortMappings(service, { timeoutMs: cleanupWalkTimeoutMs });
    for (const entry of entries) {
      const ours =
        entry.protocol === request.protocol &&
        entry.internalClient === request.internalClient &&
        entry.internalPort === request.internalPort &&
        entry.description === request.description;
      if (!ours || keep(entry)) continue;
      await deletePortMapping(service, entry, { timeoutMs: cleanupTimeoutMs });
      removed++;
    }
  } catch {
    // Unreachable or refusing: the lease bounds whatever is left.
  }
  return removed;
}
