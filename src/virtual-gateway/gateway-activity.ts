/**
 * What a virtual gateway tells its `onActivity` listener: one event per M-SEARCH answered or
 * not, per HTTP GET, and per control request, after it was handled. For logs, such as the one
 * `porthole gateway` prints.
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
    };

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
