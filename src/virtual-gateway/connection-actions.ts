import { uptimeSeconds, type ActionHandler } from "./action-context.js";
import { upnpFault } from "./upnp-faults.js";

const linkBitRate = "1000000000";

/** Status and information actions of the WAN connection, WANCommonInterfaceConfig and Layer3Forwarding. */
export const connectionHandlers: Readonly<Record<string, ActionHandler>> = {
  // miniupnpd blanks a private or reserved WAN address rather than report it.
  GetExternalIPAddress: ({ state }) => ({ NewExternalIPAddress: state.config.quirks.privateWanAddress ? "" : state.externalAddress }),

  GetStatusInfo: ({ state }) => {
    // TP-Link (godot#70458): GetStatusInfo fails although everything else works.
    if (state.config.quirks.getStatusInfoFails) throw upnpFault("GetStatusInfo", 501);
    return {
      NewConnectionStatus: state.connectionStatus,
      NewLastConnectionError: "ERROR_NONE",
      NewUptime: String(uptimeSeconds(state)),
    };
  },

  GetConnectionTypeInfo: () => ({ NewConnectionType: "IP_Routed", NewPossibleConnectionTypes: "IP_Routed" }),

  GetNATRSIPStatus: () => ({ NewRSIPAvailable: "0", NewNATEnabled: "1" }),

  GetCommonLinkProperties: ({ state }) => ({
    NewWANAccessType: "Ethernet",
    NewLayer1UpstreamMaxBitRate: linkBitRate,
    NewLayer1DownstreamMaxBitRate: linkBitRate,
    NewPhysicalLinkStatus: state.connectionStatus === "Connected" ? "Up" : "Down",
  }),

  GetTotalBytesSent: () => ({ NewTotalBytesSent: "0" }),
  GetTotalBytesReceived: () => ({ NewTotalBytesReceived: "0" }),
  GetTotalPacketsSent: () => ({ NewTotalPacketsSent: "0" }),
  GetTotalPacketsReceived: () => ({ NewTotalPacketsReceived: "0" }),

  // The format miniupnpd answers with: "<UDN>:WANConnectionDevice:1,<serviceId>".
  GetDefaultConnectionService: ({ state }) => ({
    NewDefaultConnectionService: `${state.model.connectionDevice.udn}:WANConnectionDevice:1,${state.model.connectionService.serviceId}`,
  }),
};
