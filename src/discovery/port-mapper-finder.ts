import type { PortMapper } from "../mapping/port-mapper.js";
import { findPortMapper } from "./find-port-mapper.js";
import type { FindPortMapperOptions } from "./port-mapper-attempts.js";

/**
 * A function that finds the gateway's best port mapper (`findPortMapper` with these options) each
 * time it is called: what a mapping manager calls at the start and whenever its gateway stops
 * answering, so a router that comes back speaking another protocol is still found.
 */
export function portMapperFinder(options: FindPortMapperOptions = {}): (signal: AbortSignal) => Promise<PortMapper> {
  return (signal) => findPortMapper({ ...options, signal: options.signal === undefined ? signal : AbortSignal.any([options.signal, signal]) });
}

/** Finds the gateway with PCP, NAT-PMP and UPnP asked at once, with the default settings. */
export const findAnyPortMapper = portMapperFinder();
