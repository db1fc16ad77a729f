import type { MappingMethod, TransportProtocol } from "../mapping/port-mapper.js";

/** Which port an event is about; every event's payload starts with it, so one JSON line says it all. */
export interface PortIdentity {
  protocol: TransportProtocol;
  internalPort: number;
  /** The external port of the mapping the event is about; undefined before any was granted. */
  externalPort: number | undefined;
  /** The gateway's external address as last known; undefined until the gateway said it. */
  externalAddress: string | undefined;
  /** The protocol the gateway was spoken to in; undefined before any mapping was granted. */
  method: MappingMethod | undefined;
}

/** A mapping as granted: the payload of `mapped`, `renewed`, `restored` and `port-changed`. */
export interface GrantedMappingEvent extends PortIdentity {
  externalPort: number;
  method: MappingMethod;
  /** The LAN host the traffic goes to. */
  internalClient: string;
  /** The lease granted, in seconds; 0 = permanent (then checked, never renewed). */
  lifetime: number;
}

/** The payload of `port-changed`. */
export interface PortChangedEvent extends GrantedMappingEvent {
  /** The external port peers knew until now. */
  previousExternalPort: number;
}

/**
 * Why a mapping counts as lost:
 * - `missing`: a check found it gone from the gateway, or leading to another host;
 * - `gateway-restarted`: the gateway said it restarted (announcement, uptime, boot id, epoch);
 * - `gateway-unreachable`: the gateway stopped answering and could not be found again;
 * - `refused`: the gateway refused to renew it or to put it back.
 */
export type LostReason = "missing" | "gateway-restarted" | "gateway-unreachable" | "refused";

/** The payload of `lost`. */
export interface LostEvent extends PortIdentity {
  reason: LostReason;
  /** What happened, in words. */
  message: string;
  /** The failure behind it, when there was one. */
  error?: Error | undefined;
}

/** The payload of `external-address-changed`. */
export interface ExternalAddressChangedEvent extends PortIdentity {
  externalAddress: string;
  previousExternalAddress: string;
}

/** The payload of `released`. */
export interface ReleasedEvent extends PortIdentity {
  /** True when the gateway confirmed removing the mapping; false when there was none to remove or the removal failed. */
  removed: boolean;
}

/** The events of a `ManagedPort`: names and payloads are a contract (the command line prints them). */
export interface ManagedPortEvents {
  /** The first mapping was granted. */
  mapped: [GrantedMappingEvent];
  /** The lease was renewed (or the mapping re-made on a gateway found again) on the same external port. */
  renewed: [GrantedMappingEvent];
  /** The mapping stopped standing; a `restored` or `port-changed` follows when it is back. */
  lost: [LostEvent];
  /** After `lost`, the mapping stands again on the same external port. */
  restored: [GrantedMappingEvent];
  /** The gateway reports another external address than before. */
  "external-address-changed": [ExternalAddressChangedEvent];
  /** The mapping stands again, on another external port (the old one was taken; needs `anyPort`). */
  "port-changed": [PortChangedEvent];
  /**
   * Something failed; the port keeps trying. Never thrown and never an unhandled rejection: with
   * no listener the error is dropped (see `lastError`).
   */
  error: [Error];
  /** `close()` finished: the last event of a port. */
  released: [ReleasedEvent];
}
