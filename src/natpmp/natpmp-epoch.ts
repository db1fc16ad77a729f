import type { EpochSample } from "../port-control/epoch-watch.js";

/**
 * RFC 6886 §3.6: the gateway's epoch should have grown by at least 7/8 of the time our clock saw
 * pass (clocks drift); more than 2 seconds below that means it lost its mappings.
 */
export function natPmpEpochLost(previous: EpochSample, current: EpochSample): boolean {
  const clientSeconds = (current.clientMs - previous.clientMs) / 1000;
  return current.serverSeconds < previous.serverSeconds + (clientSeconds * 7) / 8 - 2;
}
