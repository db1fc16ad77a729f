import { TimeoutError, type GatewayProtocol } from "../errors/errors.js";
import type { PortMapper } from "../mapping/port-mapper.js";
import { withCallScope } from "../util/call-scope.js";
import { maxTimeoutMs } from "../util/check-arguments.js";
import { withDeadline } from "../util/deadline.js";
import { checkFindOptions, noMapperError, protocolPreference, startAttempts, type Attempt, type FindPortMapperOptions } from "./port-mapper-attempts.js";

/**
 * The gateway's best port mapper, found by asking PCP, NAT-PMP and UPnP at the same moment and
 * returning as soon as a usable answer is in: PCP first, then NAT-PMP, then UPnP (docs/protocols.md).
 * A PCP or NAT-PMP gateway is ready after about one round trip, without waiting for SSDP. A
 * preferred protocol still pending when a less preferred one answers is waited for at most
 * `preferenceGraceMs` from the start. With `protocol` set, only that protocol is asked.
 *
 * Rejects with `NoGatewayError` saying what each protocol answered when none can map,
 * `TimeoutError` when `timeoutMs` runs out first, `InvalidArgumentError` for bad options.
 */
export async function findPortMapper(options: FindPortMapperOptions = {}): Promise<PortMapper> {
  const checked = checkFindOptions(options);
  // NAT-PMP or PCP alone is one request: it gets the budget itself, and its time-out is the
  // call's. UPnP's steps run under a deadline; auto's attempts under a scope that also stops the
  // ones still running when one wins.
  if (checked.protocol === "natpmp" || checked.protocol === "pcp") {
    const [attempt] = startAttempts(options, checked, { signal: options.signal, timeoutMs: checked.timeoutMs });
    return alone(attempt!, (error) => options.signal?.aborted === true || error instanceof TimeoutError);
  }
  const within = checked.protocol === "auto" ? withCallScope : withDeadline;
  return within("finding a port mapper", checked.timeoutMs, options.signal, (signal) => {
    const attempts = startAttempts(options, checked, { signal, timeoutMs: maxTimeoutMs });
    return attempts.length === 1 ? alone(attempts[0]!, () => signal.aborted) : firstByPreference(attempts, checked.preferenceGraceMs, signal);
  });
}

/** The one protocol asked: its mapper, or why not; an error that ended the call itself (its abort, its budget) as it is. */
async function alone({ protocol, outcome }: Attempt, endedTheCall: (error: unknown) => boolean): Promise<PortMapper> {
  try {
    return await outcome;
  } catch (error) {
    if (endedTheCall(error)) throw error;
    throw noMapperError([{ protocol, error }]);
  }
}

type Settled = { state: "pending" } | { state: "usable"; mapper: PortMapper } | { state: "failed"; error: unknown };

/**
 * Resolves with the most preferred usable mapper, once every more preferred attempt has failed
 * or the grace period since the start is over.
 */
function firstByPreference(attempts: readonly Attempt[], graceMs: number, signal: AbortSignal): Promise<PortMapper> {
  const ordered = [...attempts].sort((a, b) => protocolPreference.indexOf(a.protocol) - protocolPreference.indexOf(b.protocol));
  const states = new Map<GatewayProtocol, Settled>(ordered.map((attempt) => [attempt.protocol, { state: "pending" }]));
  return new Promise<PortMapper>((resolve, reject) => {
    let graceOver = false;
    const decide = (): void => {
      for (const { protocol } of ordered) {
        const settled = states.get(protocol)!;
        if (settled.state === "usable") return finish(() => resolve(settled.mapper));
        if (settled.state === "pending" && !graceOver) return;
      }
      if ([...states.values()].every((settled) => settled.state === "failed")) {
        finish(() => reject(noMapperError(ordered.map(({ protocol }) => ({ protocol, error: (states.get(protocol) as { error: unknown }).error })))));
      }
    };
    const grace = setTimeout(() => {
      graceOver = true;
      decide();
    }, graceMs);
    const onAbort = (): void => finish(() => reject(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    const finish = (settle: () => void): void => {
      clearTimeout(grace);
      signal.removeEventListener("abort", onAbort);
      settle();
    };
    for (const { protocol, outcome } of ordered) {
      outcome.then(
        (mapper) => {
          states.set(protocol, { state: "usable", mapper });
          decide();
        },
        (error: unknown) => {
          states.set(protocol, { state: "failed", error });
          decide();
        },
      );
    }
  });
}
