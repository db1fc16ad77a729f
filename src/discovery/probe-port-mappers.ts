import type { GatewayProtocol } from "../errors/errors.js";
import type { PortMapper } from "../mapping/port-mapper.js";
import { maxTimeoutMs } from "../util/check-arguments.js";
import { startDeadline } from "../util/deadline.js";
import { checkFindOptions, protocolPreference, startAttempts, type FindPortMapperOptions } from "./port-mapper-attempts.js";

/** What one protocol answered. */
export type ProtocolProbe =
  | { protocol: GatewayProtocol; usable: true; mapper: PortMapper; elapsedMs: number }
  | { protocol: GatewayProtocol; usable: false; error: unknown; elapsedMs: number };

/**
 * Asks every protocol the options allow at once, like `findPortMapper`, but waits for all of them
 * (within `timeoutMs`: a protocol still silent then has a `TimeoutError`) and reports each, in
 * order of preference: for `porthole discover` and the diagnosis, which must say what answered.
 */
export async function probePortMappers(options: FindPortMapperOptions = {}): Promise<ProtocolProbe[]> {
  const checked = checkFindOptions(options);
  const deadline = startDeadline("probing the gateway's protocols", checked.timeoutMs, options.signal);
  const started = performance.now();
  try {
    const attempts = startAttempts(options, checked, { signal: deadline.signal, timeoutMs: maxTimeoutMs });
    const probes = await Promise.all(
      attempts.map(({ protocol, outcome }) =>
        outcome.then(
          (mapper): ProtocolProbe => ({ protocol, usable: true, mapper, elapsedMs: performance.now() - started }),
          (error: unknown): ProtocolProbe => ({ protocol, usable: false, error, elapsedMs: performance.now() - started }),
        ),
      ),
    );
    // The caller's own abort is not an answer of the gateway.
    if (options.signal?.aborted) throw options.signal.reason;
    return probes.sort((a, b) => protocolPreference.indexOf(a.protocol) - protocolPreference.indexOf(b.protocol));
  } finally {
    deadline.dispose();
  }
}
