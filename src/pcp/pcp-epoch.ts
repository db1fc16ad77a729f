import type { EpochSample } from "../port-control/epoch-watch.js";

/**
 * RFC 6887 §8.5: the epoch is invalid (the server lost its state) when it went back by more than
 * one second (a second is allowed for reordered packets), or when the server's clock and ours
 * disagree about the time passed by more than 2 seconds plus 1/16 of it, either way.
 */
export function pcpEpochInvalid(previous: EpochSample, current: EpochSample): boolean {
  if (current.serverSeconds + 1 < previous.serverSeconds) return true;
  const clientDelta = Math.floor((current.clientMs - previous.clientMs) / 1000);
  const serverDelta = current.serverSeconds - previous.serverSeconds;
  return clientDelta + 2 < serverDelta - Math.floor(serverDelta / 16) || serverDelta + 2 < clientDelta - Math.floor(clientDelta / 16);
}
