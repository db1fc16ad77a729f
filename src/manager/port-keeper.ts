import { PortClosedError } from "../errors/errors.js";
import type { Mapping, PortMapper } from "../mapping/port-mapper.js";
import { abortable, startDeadline, withDeadline, type CallOptions } from "../util/deadline.js";
import { asError, isGatewayUnreachable } from "./gateway-failure.js";
import type { GrantedMappingEvent, LostReason, ManagedPortEvents, PortIdentity } from "./managed-port-events.js";
import type { PortSettings } from "./managed-port-options.js";
import type { HostedPort, PortHost } from "./port-host.js";
import { releaseOnExit } from "./release-on-exit.js";
import { backoffDelayMs, jittered } from "./retry-policy.js";
import type { ScheduledTask } from "./task-scheduler.js";

/**
 * Where a managed port stands:
 * - `starting`: no mapping granted yet;
 * - `mapped`: a mapping stands (as far as the last renewal or check knows);
 * - `lost`: it stood and is gone, or the gateway cannot be reached; being put back;
 * - `closing` / `closed`: `close()` was called / has finished.
 */
export type ManagedPortState = "starting" | "mapped" | "lost" | "closing" | "closed";

/** Hands an event to the port's listeners. */
export type EmitEvent = <K extends keyof ManagedPortEvents>(name: K, ...payload: ManagedPortEvents[K]) => void;

/** Checks move by up to ±10% so that mappings made together drift apart. */
const checkSpread = 0.1;
/** Renewals come between 90% and 100% of the way to `renewAfter`: never later than the mapper asked. */
const renewalSpread = 0.1;
/** However short the lease, renewals never come closer together than this: a mapper's nonsense must not turn into a flood. */
const shortestRenewalMs = 1000;
/** How long `ready()` waits when the caller names no budget. */
const defaultReadyTimeoutMs = 30_000;

interface Waiter {
  resolve(mapping: GrantedMappingEvent): void;
  reject(error: Error): void;
}

/**
 * The life of one managed mapping, protocol-blind: map it, renew it about half-way through its
 * lease, check at the port's interval that it is still there, put it back when it is gone, and
 * release it at the end. Every request goes through the manager's scheduler, one at a time per port.
 */
export class PortKeeper implements HostedPort {
  readonly #host: PortHost;
  readonly #settings: PortSettings;
  readonly #emit: EmitEvent;
  #state: ManagedPortState = "starting";
  #mapping: Mapping | undefined;
  /** The mapper that granted `#mapping`. */
  #mappingMapper: PortMapper | undefined;
  /** The mapping may still be on the gateway, so `close()` removes it. */
  #mayStand = false;
  /** The next step must (re)make the mapping rather than renew or check it. */
  #needsMap = true;
  /** Failed attempts in a row (refused, or without an answer), for the back-off. */
  #failures = 0;
  #retryAt: number | undefined;
  #renewAt: number | undefined;
  #checkAt: number | undefined;
  #task: ScheduledTask | undefined;
  /** The step running now, if any. */
  #busy: Promise<void> | undefined;
  #lastError: Error | undefined;
  readonly #waiters = new Set<Waiter>();
  /** Aborted when `close()` runs out of time: ends the request in flight. */
  readonly #lifetime = new AbortController();
  #closed: Promise<void> | undefined;
  readonly #onAbort = (): void => void this.close();
  #stopWatchingExit: (() => void) | undefined;

  constructor(host: PortHost, settings: PortSettings, emit: EmitEvent) {
    this.#host = host;
    this.#settings = settings;
    this.#emit = emit;
  }

  get state(): ManagedPortState {
    return this.#state;
  }

  get mapping(): Mapping | undefined {
    return this.#mapping;
  }

  get lastError(): Error | undefined {
    return this.#lastError;
  }

  get checkIntervalMs(): number {
    return this.#settings.checkIntervalMs;
  }

  /** Which port events are about, with what is known now. */
  identity(): PortIdentity {
    return {
      protocol: this.#settings.request.protocol,
      internalPort: this.#settings.request.internalPort,
      externalPort: this.#mapping?.externalPort,
      externalAddress: this.#host.externalAddress ?? this.#mapping?.externalAddress,
      method: this.#mapping?.method,
    };
  }

  /** Joins the manager, plans the first step and listens for what closes the port. */
  start(): void {
    this.#host.attach(this);
    this.#plan();
    this.#watchEnds();
  }

  /**
   * The caller's signal and, with `releaseOnExit`, SIGINT/SIGTERM close the port. The keeper
   * listens, not the `ManagedPort`, because `MappingManager.close()` closes keepers: whoever ends
   * the port, `#close` stops listening, so no listener outlives it.
   */
  #watchEnds(): void {
    const { signal } = this.#settings;
    if (this.#settings.releaseOnExit) this.#stopWatchingExit = releaseOnExit(this);
    if (signal?.aborted) void this.close();
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  #stopWatchingEnds(): void {
    this.#settings.signal?.removeEventListener("abort", this.#onAbort);
    this.#stopWatchingExit?.();
  }

  // --- What the manager tells ---

  mapperFound(): void {
    // A gateway found again is asked at once, unless this port keeps failing on it: a gateway that
    // answers discovery but fails every map must not be asked in a loop.
    if (this.#failures <= 1) this.#retryAt = undefined;
    this.#plan();
  }

  /**
   * The gateway stopped answering. The mapping is lost to this program until it is made again on
   * whatever gateway is found next (the same one back after a reboot has forgotten it): `lost`
   * now, and `restored` once it is made again, rather than a `renewed` that would hide the gap.
   */
  contactLost(error: Error): void {
    this.#lose("gateway-unreachable", `the gateway stopped answering: ${error.message}`, error);
    // Made again even when the same mapper comes back (a mapper the caller gave): a check that
    // finds it present would not say it stands again.
    this.#needsMap = true;
    this.#plan();
  }

  discoveryFailed(error: Error): void {
    this.#lose("gateway-unreachable", `the gateway does not answer and none was found again: ${error.message}`, error);
    this.reportError(error);
    this.#rejectWaiters(error);
  }

  gatewayRestarted(reason: string): void {
    this.#lose("gateway-restarted", reason);
    this.#needsMap = true;
    this.#retryAt = undefined;
    this.#plan();
  }

  externalAddressChanged(address: string, previous: string): void {
    if (this.#isClosing()) return;
    this.#emit("external-address-changed", { ...this.identity(), externalAddress: address, previousExternalAddress: previous });
    // A gateway whose address changed may also have dropped its mappings (PPPoE reconnect): look now.
    this.#checkAt = this.#host.clock.now();
    this.#plan();
  }

  reportError(error: Error): void {
    if (!this.#isClosing()) this.#tell(error);
  }

  #tell(error: Error): void {
    this.#lastError = error;
    this.#emit("error", error);
  }

  // --- Waiting and closing ---

  /** Resolves with the mapping once one stands; rejects on the next failed attempt, on time-out or on close. */
  whenMapped(options: CallOptions = {}): Promise<GrantedMappingEvent> {
    if (this.#state === "mapped" && this.#mapping !== undefined) return Promise.resolve(this.#grantedEvent(this.#mapping));
    if (this.#isClosing()) return Promise.reject(new PortClosedError("the port is closed"));
    return new Promise((resolve, reject) => {
      const deadline = startDeadline("waiting for the port mapping", options.timeoutMs ?? defaultReadyTimeoutMs, options.signal);
      const waiter: Waiter = {
        resolve: (mapping) => settle(() => resolve(mapping)),
        reject: (error) => settle(() => reject(error)),
      };
      const settle = (done: () => void): void => {
        this.#waiters.delete(waiter);
        deadline.signal.removeEventListener("abort", onAbort);
        deadline.dispose();
        done();
      };
      const onAbort = (): void => waiter.reject(asError(deadline.signal.reason));
      this.#waiters.add(waiter);
      // A signal aborted already fires no event.
      if (deadline.signal.aborted) return onAbort();
      deadline.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#state = "closing";
    this.#stopWatchingEnds();
    this.#task?.cancel();
    this.#task = undefined;
    this.#rejectWaiters(new PortClosedError("the port was closed before it was mapped"));
    const deadline = startDeadline("releasing the port mapping", this.#settings.closeTimeoutMs);
    let removed = false;
    try {
      // The request in flight may finish within the close budget: a map the gateway is granting
      // right now, cut off, would stay on it unknown to us; let through, it is released below.
      await untilAborted(this.#busy, deadline.signal);
      this.#lifetime.abort(new PortClosedError("the port was closed"));
      if (this.#mapping !== undefined && this.#mayStand) removed = await this.#release(this.#mapping, deadline.signal);
    } finally {
      deadline.dispose();
      this.#host.detach(this);
    }
    this.#state = "closed";
    this.#emit("released", { ...this.identity(), removed });
  }

  /** Removes the mapping through the scheduler (a thousand ports closing at once must not flood the gateway). */
  #release(mapping: Mapping, signal: AbortSignal): Promise<boolean> {
    // The budget spent on the request in flight: no time left to remove it (no abort event will come).
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        task.cancel();
        resolve(false);
      };
      const task = this.#host.scheduler.schedule(this.#host.clock.now(), async () => {
        if (signal.aborted) return;
        const mapper = this.#host.mapper;
        const options = { signal, timeoutMs: this.#host.operationTimeoutMs };
        try {
          // Found again elsewhere meanwhile: the old mapping's own mapper no longer reaches the gateway.
          const removal = mapper !== undefined && mapper !== this.#mappingMapper ? mapper.unmap(mapping, options) : mapping.release(options);
          await abortable(removal, signal);
          resolve(true);
        } catch (error) {
          if (!signal.aborted) this.#tell(asError(error));
          resolve(false);
        } finally {
          signal.removeEventListener("abort", onAbort);
        }
      });
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  // --- The steps ---

  #isClosing(): boolean {
    return this.#state === "closing" || this.#state === "closed";
  }

  #mustMap(mapper: PortMapper): boolean {
    return this.#needsMap || this.#mapping === undefined || this.#mappingMapper !== mapper;
  }

  /** Sets the one task of this port for what is due next; a running step plans again when it ends. */
  #plan(): void {
    if (this.#busy !== undefined || this.#isClosing()) return;
    this.#task?.cancel();
    this.#task = undefined;
    const mapper = this.#host.mapper;
    if (mapper === undefined) return this.#host.needMapper();
    const now = this.#host.clock.now();
    const at = this.#mustMap(mapper) ? (this.#retryAt ?? now) : Math.min(this.#renewAt ?? Infinity, this.#checkAt ?? now);
    this.#task = this.#host.scheduler.schedule(at, () => this.#step());
  }

  async #step(): Promise<void> {
    this.#task = undefined;
    const mapper = this.#host.mapper;
    if (mapper === undefined || this.#isClosing()) return;
    const step = this.#stepOn(mapper);
    this.#busy = step;
    try {
      await step;
    } finally {
      this.#busy = undefined;
      this.#plan();
    }
  }

  #stepOn(mapper: PortMapper): Promise<void> {
    if (this.#mustMap(mapper)) return this.#map(mapper);
    if (this.#renewAt !== undefined && this.#host.clock.now() >= this.#renewAt) return this.#renew(mapper, this.#mapping!);
    return this.#check(mapper, this.#mapping!);
  }

  /** One request to the gateway, bounded by the manager's operation budget and ended by `close()`. */
  #call<T>(what: string, request: (options: CallOptions) => Promise<T>): Promise<T> {
    const timeoutMs = this.#host.operationTimeoutMs;
    return withDeadline(what, timeoutMs, this.#lifetime.signal, (signal) => abortable(request({ signal, timeoutMs }), signal));
  }

  /** Maps the port, on the external port it last had (peers know that one), another if allowed and taken. */
  async #map(mapper: PortMapper): Promise<void> {
    const request = { ...this.#settings.request, externalPort: this.#mapping?.externalPort ?? this.#settings.request.externalPort };
    try {
      this.#granted(mapper, await this.#call("mapping a port", (options) => mapper.map(request, options)));
    } catch (error) {
      this.#failed(mapper, error, "map the port");
    }
  }

  async #renew(mapper: PortMapper, mapping: Mapping): Promise<void> {
    try {
      this.#granted(mapper, await this.#call("renewing a port mapping", (options) => mapping.renew(options)));
    } catch (error) {
      if (this.#isClosing()) return;
      if (isGatewayUnreachable(error)) return this.#host.reportUnreachable(mapper, asError(error));
      // Refused: the lease may be gone or the port taken; make it again at once (maybe elsewhere).
      this.#needsMap = true;
    }
  }

  async #check(mapper: PortMapper, mapping: Mapping): Promise<void> {
    let result;
    try {
      result = await this.#call("checking a port mapping", (options) => mapper.check(mapping, options));
    } catch (error) {
      return this.#failed(mapper, error, "check the mapping");
    }
    if (this.#isClosing()) return;
    this.#host.reportAddress(mapper, result.externalAddress);
    if (result.gatewayRestarted) return this.#host.reportRestart(mapper, "the gateway restarted since the mapping was made");
    if (result.state === "missing") {
      this.#lose("missing", "the gateway no longer has the mapping, or it leads elsewhere");
      this.#needsMap = true;
      return;
    }
    if (result.state === "unknown" && !(await this.#answers(mapper))) return;
    this.#checkAt = this.#host.clock.now() + jittered(this.#settings.checkIntervalMs, checkSpread, this.#host.random);
  }

  /** After a read-back without an answer: does the gateway answer anything at all? */
  async #answers(mapper: PortMapper): Promise<boolean> {
    try {
      this.#host.reportAddress(mapper, await this.#call("asking the external address", (options) => mapper.getExternalAddress(options)));
    } catch (error) {
      if (isGatewayUnreachable(error) && !this.#isClosing()) {
        this.#host.reportUnreachable(mapper, asError(error));
        return false;
      }
    }
    return true;
  }

  #granted(mapper: PortMapper, mapping: Mapping): void {
    const previousPort = this.#mapping?.externalPort;
    const was = this.#state;
    this.#mapping = mapping;
    this.#mappingMapper = mapper;
    this.#mayStand = true;
    if (this.#isClosing()) return; // granted just as the port closed: close() releases it
    const now = this.#host.clock.now();
    const { random } = this.#host;
    this.#needsMap = false;
    this.#failures = 0;
    this.#retryAt = undefined;
    this.#renewAt = mapping.renewAfter === undefined ? undefined : now + Math.max(shortestRenewalMs, Math.round((mapping.renewAfter - mapping.grantedAt) * (1 - renewalSpread * random())));
    this.#checkAt = now + jittered(this.#settings.checkIntervalMs, checkSpread, random);
    this.#state = "mapped";
    this.#host.reportAddress(mapper, mapping.externalAddress);
    const event = this.#grantedEvent(mapping);
    if (was === "starting") this.#emit("mapped", event);
    else if (previousPort !== undefined && previousPort !== mapping.externalPort) this.#emit("port-changed", { ...event, previousExternalPort: previousPort });
    else if (was === "lost") this.#emit("restored", event);
    else this.#emit("renewed", event);
    for (const waiter of [...this.#waiters]) waiter.resolve(event);
  }

  /** A refusal is told and retried with back-off; silence from the gateway sends the manager looking for it. */
  #failed(mapper: PortMapper, thrown: unknown, what: string): void {
    if (this.#isClosing()) return;
    const error = asError(thrown);
    this.#failures++;
    if (isGatewayUnreachable(error)) {
      this.#lastError = error;
      // The first is usually a gateway that moved or rebooted: found again and asked at once. Again
      // and again from a gateway that answers discovery (a map answered with HTTP 500, say): back off.
      if (this.#failures > 1) {
        this.#retryAt = this.#host.clock.now() + backoffDelayMs(this.#failures - 1, this.#host.retry, this.#host.random);
        this.reportError(error);
        this.#rejectWaiters(error);
      }
      return this.#host.reportUnreachable(mapper, error);
    }
    this.#retryAt = this.#host.clock.now() + backoffDelayMs(this.#failures, this.#host.retry, this.#host.random);
    this.#needsMap = true;
    this.#lose("refused", `the gateway refused to ${what}: ${error.message}`, error);
    this.reportError(error);
    this.#rejectWaiters(error);
  }

  #lose(reason: LostReason, message: string, error?: Error): void {
    if (this.#state !== "mapped") return;
    this.#state = "lost";
    // Gone for sure: nothing to remove at close. Unanswered or refused: it may still stand.
    if (reason === "missing" || reason === "gateway-restarted") this.#mayStand = false;
    this.#emit("lost", { ...this.identity(), reason, message, ...(error === undefined ? {} : { error }) });
  }

  #grantedEvent(mapping: Mapping): GrantedMappingEvent {
    return {
      ...this.identity(),
      externalPort: mapping.externalPort,
      method: mapping.method,
      internalClient: mapping.internalClient,
      lifetime: mapping.leaseSeconds,
    };
  }

  #rejectWaiters(error: Error): void {
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }
}

/** Resolves when `work` settles or `signal` aborts, whichever comes first; never rejects. */
function untilAborted(work: Promise<void> | undefined, signal: AbortSignal): Promise<void> {
  if (work === undefined || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener("abort", done);
      resolve();
    };
    signal.addEventListener("abort", done, { once: true });
    work.then(done, done);
  });
}
