import { checkPort, checkString, checkTimeoutMs } from "../util/check-arguments.js";
import { NATPMP_SERVER_PORT } from "../natpmp/natpmp-messages.js";

/** Where and how a NAT-PMP or PCP client sends. */
export interface GatewayClientOptions {
  /** The gateway's port (NAT-PMP and PCP share it); replies from any other port are ignored. @default 5351 */
  gatewayPort?: number | undefined;
  /** Our address to send from (for PCP also the client address of every request). @default the route's source address toward the gateway */
  localAddress?: string | undefined;
  /**
   * Clock of the epoch check, in milliseconds; only its differences count. @default a monotonic
   * clock (`performance.now`): the wall clock steps (NTP, a board without a battery setting its
   * time at boot), and a step would look like a gateway that restarted, or hide one that did.
   */
  now?: (() => number) | undefined;
  /**
   * The first wait before a resend, doubled after each. The RFCs fix it (NAT-PMP 250 ms,
   * RFC 6886 §3.1; PCP 3 s, RFC 6887 §8.1.1): this is for tests. @default the RFC's
   */
  initialRetransmitMs?: number | undefined;
}

const monotonicNow = (): number => performance.now();

/** The options checked, with their defaults. */
export function checkGatewayClientOptions(options: GatewayClientOptions, rfcInitialRetransmitMs: number): Required<Omit<GatewayClientOptions, "localAddress">> & { localAddress: string | undefined } {
  return {
    gatewayPort: options.gatewayPort === undefined ? NATPMP_SERVER_PORT : checkPort("gatewayPort", options.gatewayPort),
    localAddress: checkString("localAddress", options.localAddress),
    now: options.now ?? monotonicNow,
    initialRetransmitMs: checkTimeoutMs("initialRetransmitMs", options.initialRetransmitMs) ?? rfcInitialRetransmitMs,
  };
}
