import type { ConnectionStatus, GatewayConfig } from "./gateway-config.js";
import type { GatewayModel } from "./device-model.js";
import type { PinholeTable } from "./pinhole-table.js";
import type { PortMappingTable } from "./port-mapping-table.js";
import type { ActionArguments } from "./action-arguments.js";

/** What the action handlers read and change. */
export interface GatewayState {
  readonly config: GatewayConfig;
  readonly model: GatewayModel;
  readonly table: PortMappingTable;
  /** The IPv6 firewall's pinholes, opened through WANIPv6FirewallControl or PCP. */
  readonly pinholes: PinholeTable;
  externalAddress: string;
  connectionStatus: ConnectionStatus;
  /** Clock reading when the gateway last started or rebooted, for GetStatusInfo's uptime. */
  startedAt: number;
  /** `BOOTID.UPNP.ORG` of the current boot. */
  bootId: number;
  /**
   * Clock reading when the epoch of NAT-PMP and PCP last began (RFC 6886 §3.6, RFC 6887 §8.5):
   * the start, a reboot, or a new external address (miniupnpd resets it on SIGUSR1).
   */
  epochStartedAt: number;
}

export interface ActionContext {
  readonly args: ActionArguments;
  /** Address the control request came from: secure mode, `NewManage` and the pinhole owner check compare against it. */
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

/** Seconds since the epoch began, as every NAT-PMP and PCP answer carries them. */
export function epochSeconds(state: GatewayState): number {
  return Math.min(0xffffffff, Math.max(0, Math.floor((state.config.now() - state.epochStartedAt) / 1000)));
}
