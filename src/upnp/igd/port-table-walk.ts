import { InvalidArgumentError, UpnpActionError } from "../../errors/errors.js";
import { withDeadline } from "../../util/deadline.js";
import { getGenericPortMappingEntry, getListOfPortMappings, type ActionCallOptions, type PortMappingEntry, type ServiceEndpoint } from "./igd-client.js";

/** Options of the table reads: `timeoutMs` bounds the whole read, `requestTimeoutMs` each request in it. */
export interface PortTableReadOptions extends ActionCallOptions {
  /** Time budget of the whole read, every request included. @default 30000 */
  timeoutMs?: number | undefined;
  /** Time budget of each request. @default 5000 */
  requestTimeoutMs?: number | undefined;
}

export interface PortTableWalkOptions extends PortTableReadOptions {
  /** Most entries read; a router that never says "end of table" stops here. From 1 to 65536. @default 4096 */
  maxEntries?: number | undefined;
}

/** Time budget of a whole table read when the caller names none. */
export const defaultTableReadTimeoutMs = 30_000;
/** Entries read by the walk when the caller names no limit. */
export const defaultMaxEntries = 4096;

/** A table read's steps run under the read's deadline signal with their own per-request budget. */
function readTable<T>(what: string, options: PortTableReadOptions, read: (step: ActionCallOptions) => Promise<T>): Promise<T> {
  return withDeadline(what, options.timeoutMs ?? defaultTableReadTimeoutMs, options.signal, (signal) =>
    read({ signal, timeoutMs: options.requestTimeoutMs, localAddress: options.localAddress }),
  );
}

/**
 * IGDv2: every mapping of every client, TCP then UDP, with GetListOfPortMappings over the whole
 * port range (one request per protocol). Routers that keep the table to its owners answer 606;
 * `walkPortMappings` works on every version.
 */
export async function listAllPortMappings(service: ServiceEndpoint, options: PortTableReadOptions = {}): Promise<PortMappingEntry[]> {
  return readTable("listing port mappings", options, async (step) => {
    const entries: PortMappingEntry[] = [];
    // One request after the other: small routers serve one connection at a time.
    for (const protocol of ["TCP", "UDP"] as const) {
      const request = { startPort: 0, endPort: 65535, protocol, manage: true, numberOfPorts: 0 };
      entries.push(...(await getListOfPortMappings(service, request, step)));
    }
    return entries;
  });
}

/**
 * Fault codes that mean "no entry at this index": 713 SpecifiedArrayIndexInvalid is the spec's;
 * routers also send 714 NoSuchEntryInArray, 730 PortMappingNotFound, 402 Invalid Args or
 * 501 Action Failed (miniupnpc's upnpc stops on any error for the same reason).
 */
const endOfTableCodes: ReadonlySet<number> = new Set([713, 714, 730, 402, 501]);

/** What a walk read: the entries, and whether it stopped at `maxEntries` before the table's end. */
export interface PortTableWalk {
  entries: PortMappingEntry[];
  /** True when the walk stopped at `maxEntries`: the table may hold more. */
  truncated: boolean;
}

/**
 * The gateway's whole table, read with GetGenericPortMappingEntry from index 0 until the router
 * says the index is past the end. Works on IGDv1 and v2. Stops at `maxEntries`: some routers
 * never report the end.
 * @throws InvalidArgumentError when `maxEntries` is not 1..65536.
 */
export async function walkPortMappings(service: ServiceEndpoint, options: PortTableWalkOptions = {}): Promise<PortTableWalk> {
  const maxEntries = options.maxEntries ?? defaultMaxEntries;
  // NewPortMappingIndex is a ui2, so no table can be longer than 65536 entries.
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 65536) {
    throw new InvalidArgumentError(`maxEntries must be a whole number from 1 to 65536, got ${maxEntries}`);
  }
  return readTable("listing port mappings", options, async (step) => {
    const entries: PortMappingEntry[] = [];
    for (let index = 0; index < maxEntries; index++) {
      try {
        entries.push(await getGenericPortMappingEntry(service, index, step));
      } catch (error) {
        if (error instanceof UpnpActionError && endOfTableCodes.has(error.upnpCode)) return { entries, truncated: false };
        throw error;
      }
    }
    return { entries, truncated: true };
  });
}
