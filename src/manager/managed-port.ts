import { EventEmitter } from "node:events";
import type { Mapping, MappingMethod, TransportProtocol } from "../mapping/port-mapper.js";
import { checkCallOptions } from "../util/check-arguments.js";
import type { CallOptions } from "../util/deadline.js";
import type { GrantedMappingEvent, ManagedPortEvents } from "./managed-port-events.js";
import type { PortSettings } from "./managed-port-options.js";
import type { PortHost } from "./port-host.js";
import { PortKeeper, type ManagedPortState } from "./port-keeper.js";

/**
 * A port kept open on the gateway for as long as the program wants it: renewed, checked, put back
 * after a reboot, moved to another gateway found again, released at the end. Made by `openPort`
 * or `MappingManager.openPort`; events are listed in `ManagedPortEvents`.
 *
 * An `error` event without a listener is dropped (it is kept in `lastError`), never thrown: the
 * port keeps trying, and a program that does not care must not crash. A listener that throws is
 * the program's own error: it surfaces as an uncaught exception, as from any event listener, and
 * the port's work carries on.
 */
export class ManagedPort extends EventEmitter<ManagedPortEvents> implements AsyncDisposable {
  readonly protocol: TransportProtocol;
  readonly internalPort: number;
  readonly #keeper: PortKeeper;

  /** @internal Use `openPort` or `MappingManager.openPort`. */
  constructor(host: PortHost, settings: PortSettings) {
    super();
    this.protocol = settings.request.protocol;
    this.internalPort = settings.request.internalPort;
    this.#keeper = new PortKeeper(host, settings, (name, ...payload) => this.#deliver(name, payload));
    this.#keeper.start();
  }

  get state(): ManagedPortState {
    return this.#keeper.state;
  }

  /** The mapping granted last (it may be lost now: see `state`); undefined before the first. */
  get mapping(): Mapping | undefined {
    return this.#keeper.mapping;
  }

  /** The protocol the gateway is spoken to in, once a mapping was granted. */
  get method(): MappingMethod | undefined {
    return this.#keeper.mapping?.method;
  }

  /** The gateway's external address as last heard. */
  get externalAddress(): string | undefined {
    return this.#keeper.identity().externalAddress;
  }

  /** The external port peers reach, once a mapping was granted. */
  get externalPort(): number | undefined {
    return this.#keeper.mapping?.externalPort;
  }

  /** The last failure, also when nobody listened for `error`. */
  get lastError(): Error | undefined {
    return this.#keeper.lastError;
  }

  /**
   * Resolves with the mapping as soon as one stands (at once if one does). Rejects with the
   * error of the next attempt that fails (`NoGatewayError`, the gateway's refusal ...), with
   * `TimeoutError` after `timeoutMs` (default 30000), with the signal's reason, or with
   * `PortClosedError` when the port closes first. The port keeps trying either way.
   */
  ready(options?: CallOptions): Promise<GrantedMappingEvent> {
    checkCallOptions(options);
    return this.#keeper.whenMapped(options);
  }

  /**
   * Stops keeping the port open and removes the mapping from the gateway, within the port's
   * `closeTimeoutMs`; `released` is the last event. Never rejects; calling it again returns the
   * same promise.
   */
  close(): Promise<void> {
    return this.#keeper.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #deliver<K extends keyof ManagedPortEvents>(name: K, payload: ManagedPortEvents[K]): void {
    if (name === "error" && this.listenerCount("error") === 0) return;
    try {
      (this.emit as (name: K, ...payload: ManagedPortEvents[K]) => boolean)(name, ...payload);
    } catch (error) {
      process.nextTick(() => {
        throw error;
      });
    }
  }
}
