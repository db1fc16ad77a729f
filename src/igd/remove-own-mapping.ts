import { HttpError, InvalidArgumentError, UpnpActionError } from "../errors/errors.js";
import { deletePortMapping, getSpecificPortMappingEntry, type AddPortMappingRequest, type ServiceEndpoint } from "./igd-client.js";

/** Time budget of each request of a cleanup, independent of the failed call's budget or signal. */
export const cleanupTimeoutMs = 2000;

/** Connection failures that happen before a byte of the request is sent. */
const notConnectedCodes: ReadonlySet<string> = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

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
