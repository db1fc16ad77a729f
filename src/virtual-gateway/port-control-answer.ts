import type { PortControlActivity } from "./gateway-activity.js";

/** How the gateway answers one NAT-PMP or PCP datagram. */
export interface PortControlAnswer {
  /** The datagram to send back to its sender; undefined to stay silent. */
  readonly reply: Uint8Array | undefined;
  /** What to tell `onActivity`, but for the sender, which the server adds. */
  readonly activity: Omit<PortControlActivity, "from">;
}
