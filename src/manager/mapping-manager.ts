import { NoExternalAddressError, PortClosedError } from "../errors/errors.js";
import type { GatewayEvent, PortMapper } from "../mapping/port-mapper.js";
import { findAnyPortMapper } from "../discovery/port-mapper-finder.js";
import { abortable, withDeadline } from "../util/deadline.js";
import { systemClock, type Clock } from "./clock.js";
import { asError, isGatewayUnreachable } from "./gateway-failure.js";
import { ManagedPort } from "./managed-port.js";
import { checkManagerOptions, checkPortOptions, type FindMapper, type ManagedPortOptions, type ManagerSettings, type MappingManagerOptions } from "./managed-port-options.js";
import type { HostedPort, PortHost } from "./port-host.js";
import { backoffDelayMs, jittered } from "./retry-policy.js";
import { TaskScheduler, type ScheduledTask } from "./task-scheduler.js";

/** The manager's own look at the gateway (its external address) moves by up to ±10% too. */
const probeSpread = 0.1;

/**
 * The managed ports that share one gateway: one discovery (and one rediscovery when the gateway
 * stops answering, with back-off), one watch of what the gateway announces, one look at its
 * external address per interval, and one scheduler that paces every request. It speaks to the
 * gateway only through `PortMapper` and `Mapping`, whatever the protocol.
 */
export class MappingManager implements AsyncDisposable {
  readonly #settings: ManagerSettings;
  readonly #clock: Clock;
  readonly #scheduler: TaskScheduler;
  readonly #findMapper: FindMapper;
  readonly #ports = new Set<HostedPort>();
  readonly #host: PortHost;
  /** Called once the last port has left (the shared managers of `openPort` then close). */
  readonly #onIdle: (() => void) | undefined;
  /** A mapper given by the caller, used before any is looked for. */
  #givenMapper: PortMapper | undefined;
  #mapper: PortMapper | undefined;
  #watching: AbortController | undefined;
  #probe: ScheduledTask | undefined;
  #discovery: ScheduledTask | undefined;
  #discovering = false;
  #discoveryFailures = 0;
  #externalAddress: string | undefined;
  readonly #lifetime = new AbortController();
  #closed: Promise<void> | undefined;

  constructor(options: MappingManagerOptions = {}, onIdle?: () => void) {
    this.#settings = checkManagerOptions(options);
    this.#clock = this.#settings.clock ?? systemClock;
    this.#scheduler = new TaskScheduler({ clock: this.#clock, spacingMs: this.#settings.spacingMs, concurrency: this.#settings.concurrency });
    this.#givenMapper = options.mapper;
    this.#findMapper = options.findMapper ?? (options.mapper === undefined ? findAnyPortMapper : answering(options.mapper));
    this.#onIdle = onIdle;
    this.#host = this.#makeHost();
  }

  /** The mapper in use now; undefined while one is being looked for. */
  get mapper(): PortMapper | undefined {
    return this.#mapper;
  }

  /** The gateway's external address as last heard. */
  get externalAddress(): string | undefined {
    return this.#externalAddress;
  }

  /**
   * Starts keeping a port open through this manager's gateway. Returns at once: listen for
   * `mapped` (or await `ready()`); nothing is emitted before the caller's code has run to its end.
   */
  openPort(options: ManagedPortOptions): ManagedPort {
    if (this.#closed !== undefined) throw new PortClosedError("the mapping manager is closed");
    return new ManagedPort(this.#host, checkPortOptions(options));
  }

  /** Closes every port (each releasing its mapping within its time budget), then stops. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.all([...this.#ports].map((port) => port.close()));
      this.#stop();
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #stop(): void {
    this.#lifetime.abort(new PortClosedError("the mapping manager is closed"));
    this.#dropMapper();
    this.#discovery?.cancel();
    this.#discovery = undefined;
    this.#scheduler.close();
  }

  #makeHost(): PortHost {
    const manager = this;
    const settings = this.#settings;
    return {
      clock: this.#clock,
      random: settings.random,
      retry: settings.retry,
      operationTimeoutMs: settings.operationTimeoutMs,
      scheduler: this.#scheduler,
      get mapper() {
        return manager.#mapper;
      },
      get externalAddress() {
        return manager.#externalAddress;
      },
      attach: (port) => this.#ports.add(port),
      detach: (port) => this.#detach(port),
      needMapper: () => this.#needMapper(),
      reportUnreachable: (mapper, error) => this.#unreachable(mapper, error),
      reportRestart: (mapper, reason) => this.#restarted(mapper, reason),
      reportAddress: (mapper, address) => this.#addressHeard(mapper, address),
    };
  }

  #detach(port: HostedPort): void {
    this.#ports.delete(port);
    if (this.#ports.size > 0) return;
    // Nothing to keep: stop watching and looking. A later port finds the gateway again.
    this.#dropMapper();
    this.#discovery?.cancel();
    this.#discovery = undefined;
    this.#onIdle?.();
  }

  #needMapper(): void {
    if (this.#mapper !== undefined || this.#discovering || this.#discovery !== undefined || this.#lifetime.signal.aborted) return;
    this.#discovery = this.#scheduler.schedule(this.#clock.now(), () => this.#discover());
  }

  async #discover(): Promise<void> {
    this.#discovery = undefined;
    if (this.#ports.size === 0) return;
    this.#discovering = true;
    try {
      const mapper = await withDeadline("finding a gateway", this.#settings.discoveryTimeoutMs, this.#lifetime.signal, (signal) => abortable(this.#nextMapper(signal), signal));
      if (this.#lifetime.signal.aborted || this.#ports.size === 0) return;
      this.#discoveryFailures = 0;
      this.#useMapper(mapper);
    } catch (thrown) {
      if (this.#lifetime.signal.aborted || this.#ports.size === 0) return;
      const error = asError(thrown);
      this.#discoveryFailures++;
      for (const port of [...this.#ports]) port.discoveryFailed(error);
      const wait = backoffDelayMs(this.#discoveryFailures, this.#settings.retry, this.#settings.random);
      this.#discovery = this.#scheduler.schedule(this.#clock.now() + wait, () => this.#discover());
    } finally {
      this.#discovering = false;
    }
  }

  #nextMapper(signal: AbortSignal): Promise<PortMapper> {
    const given = this.#givenMapper;
    if (given === undefined) return this.#findMapper(signal);
    this.#givenMapper = undefined;
    return Promise.resolve(given);
  }

  #useMapper(mapper: PortMapper): void {
    this.#mapper = mapper;
    const watching = new AbortController();
    this.#watching = watching;
    mapper.watch((event) => this.#heard(mapper, event), { signal: watching.signal }).catch((thrown: unknown) => {
      // Without the watch, restarts are still found by the checks, only later.
      if (!watching.signal.aborted) for (const port of [...this.#ports]) port.reportError(asError(thrown));
    });
    this.#scheduleProbe(mapper, this.#clock.now() + this.#probeIntervalMs());
    for (const port of [...this.#ports]) port.mapperFound();
  }

  #dropMapper(): void {
    this.#mapper = undefined;
    this.#watching?.abort();
    this.#watching = undefined;
    this.#probe?.cancel();
    this.#probe = undefined;
  }

  #heard(mapper: PortMapper, event: GatewayEvent): void {
    if (event.type === "restarted") this.#restarted(mapper, event.reason);
    else this.#addressHeard(mapper, event.address);
  }

  #unreachable(mapper: PortMapper, error: Error): void {
    if (mapper !== this.#mapper) return;
    this.#dropMapper();
    for (const port of [...this.#ports]) port.contactLost(error);
    this.#needMapper();
  }

  #restarted(mapper: PortMapper, reason: string): void {
    if (mapper !== this.#mapper) return;
    for (const port of [...this.#ports]) port.gatewayRestarted(reason);
    // A restarted gateway may come back with another external address: ask now.
    this.#scheduleProbe(mapper, this.#clock.now());
  }

  #addressHeard(mapper: PortMapper, address: string | undefined): void {
    if (mapper !== this.#mapper || address === undefined || address === this.#externalAddress) return;
    const previous = this.#externalAddress;
    this.#externalAddress = address;
    if (previous === undefined) return;
    for (const port of [...this.#ports]) port.externalAddressChanged(address, previous);
  }

  /** As often as the most watchful port checks its mapping. */
  #probeIntervalMs(): number {
    let shortest = Infinity;
    for (const port of this.#ports) shortest = Math.min(shortest, port.checkIntervalMs);
    return jittered(shortest, probeSpread, this.#settings.random);
  }

  #scheduleProbe(mapper: PortMapper, at: number): void {
    this.#probe?.cancel();
    this.#probe = this.#scheduler.schedule(at, () => this.#probeGateway(mapper));
  }

  /** Asks the external address: a change is told to every port; silence sends the manager looking. */
  async #probeGateway(mapper: PortMapper): Promise<void> {
    this.#probe = undefined;
    if (mapper !== this.#mapper) return;
    const timeoutMs = this.#settings.operationTimeoutMs;
    try {
      const address = await withDeadline("asking the external address", timeoutMs, this.#lifetime.signal, (signal) => abortable(mapper.getExternalAddress({ signal, timeoutMs }), signal));
      this.#addressHeard(mapper, address);
    } catch (thrown) {
      if (mapper !== this.#mapper || this.#lifetime.signal.aborted) return;
      if (isGatewayUnreachable(thrown)) return this.#unreachable(mapper, asError(thrown));
      for (const port of [...this.#ports]) port.reportError(asError(thrown));
    }
    if (mapper === this.#mapper) this.#scheduleProbe(mapper, this.#clock.now() + this.#probeIntervalMs());
  }
}

/**
 * For a manager given one mapper and no way to find another: "finding" the gateway again is
 * asking that mapper until it answers. Having no usable external address is an answer too.
 */
function answering(mapper: PortMapper): FindMapper {
  return async (signal) => {
    try {
      await mapper.getExternalAddress({ signal });
    } catch (error) {
      if (!(error instanceof NoExternalAddressError)) throw error;
    }
    return mapper;
  };
}
