import type { TransportProtocol } from "../mapping/port-mapper.js";

/**
 * What a virtual gateway tells its `onActivity` listener: one event per M-SEARCH answered or
 * not, per HTTP GET, per control request, and per NAT-PMP or PCP datagram, after it was handled.
 * For logs, such as the one `porthole gateway` prints.
 */
export type VirtualGatewayActivity =
  | {
      readonly type: "search";
      /** The ST of the M-SEARCH. */
      readonly searchTarget: string;
      readonly from: { readonly address: string; readonly port: number };
      /** How many replies it gets (0: not a search this gateway answers). */
      readonly replies: number;
    }
  | {
      readonly type: "http";
      readonly method: string;
      readonly path: string;
      readonly status: number;
      readonly clientAddress: string;
    }
  | {
      readonly type: "control";
      readonly action: string;
      /** Argument elements in the order received. */
      readonly arguments: ReadonlyArray<readonly [name: string, value: string]>;
      readonly clientAddress: string;
      /** The UPnP error code of the fault it was answered with; undefined when it succeeded. */
      readonly upnpCode: number | undefined;
    }
  | {
      /** A datagram on the NAT-PMP/PCP port, told by the protocol that read it (its first byte: 0 is NAT-PMP). */
      readonly type: "natpmp" | "pcp";
      /** `"external-address"` (NAT-PMP), `"announce"` (PCP), `"map"` (both), `"other"`: another version or opcode, or a malformed message. */
      readonly request: "external-address" | "announce" | "map" | "other";
      readonly from: { readonly address: string; readonly port: number };
      /** MAP: what was asked; a lifetime of 0 deletes. The protocol is PCP's IANA number when it is neither TCP nor UDP. */
      readonly mapping?: {
        readonly protocol: TransportProtocol | number;
        readonly internalPort: number;
        readonly suggestedExternalPort: number;
        readonly lifetimeSeconds: number;
      };
      /** MAP answered with success: the external port and the lifetime granted (0 after a delete). */
      readonly granted?: { readonly externalPort: number; readonly lifetimeSeconds: number };
      /** The protocol's result code in the answer; undefined when the gateway stayed silent, as it must for some datagrams. */
      readonly resultCode: number | undefined;
    };

/** What a NAT-PMP or PCP datagram is reported as. */
export type PortControlActivity = Extract<VirtualGatewayActivity, { type: "natpmp" | "pcp" }>;

/** Calls the listener; a listener that throws must not break the gateway. */
export function activityNotifier(listener: ((activity: VirtualGatewayActivity) => void) | undefined): (activity: VirtualGatewayActivity) => void {
  if (listener === undefined) return () => {};
  return (activity) => {
    try {
      listener(activity);
    } catch {
      // The listener's own problem; the gateway keeps answering.
    }
  };
}
