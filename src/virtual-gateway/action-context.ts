import type { ConnectionStatus, GatewayConfig } from "./gateway-config.js";
import type { GatewayModel } from "./device-model.js";
import type { PortMappingTable } from "./port-mapping-table.js";
import type { ActionArguments } from "./action-arguments.js";

/** What the action handlers read and change. */
export interface GatewayState {
  readonly config: GatewayConfig;
  readonly model: GatewayModel;
  readonly table: PortMappingTable;
  externalAddress: string;
  connectionStatus: ConnectionStatus;
  /** Clock reading when the gateway last started or rebooted, for GetStatusInfo's uptime. */
  startedAt: number;
  /** `BOOTID.UPNP.ORG` of the current boot. */
  bootId: number;
}

export interface ActionContext {
  readonly args: ActionArguments;
  /** Address the control request came from: secure mode and `NewManage` compare against it. */
  readonly clientAddress: string;
  readonly state: GatewayState;
}

/** An output argument's value: text, or an XML document to send in a CDATA section. */
export type OutputValue = string | { readonly cdata: string };

/** Runs one action; returns its output arguments by name (the action table orders them). */
export type ActionHandler = (context: ActionContext) => Readonly<Record<string, OutputValue>>;

/** Seconds since the gateway started or last rebooted. */
export function uptimeSeconds(state: GatewayState): number {
  return Math.max(0, Math.floor((state.config.now() - state.startedAt) / 1000));
}
