import type { PortMapper } from "../mapping/port-mapper.js";
import type { Clock } from "./clock.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { TaskScheduler } from "./task-scheduler.js";

/** What a managed port uses of its manager: the shared gateway, clock and pace. */
export interface PortHost {
  readonly clock: Clock;
  readonly random: () => number;
  readonly retry: Required<RetryPolicy>;
  readonly operationTimeoutMs: number;
  readonly scheduler: TaskScheduler;
  /** The mapper in use; undefined while none is known (finding one, or it stopped answering). */
  readonly mapper: PortMapper | undefined;
  /** The gateway's external address as last heard. */
  readonly externalAddress: string | undefined;
  /** Joins the manager's ports. */
  attach(port: HostedPort): void;
  /** Leaves them; the manager stops its work once the last port has left. */
  detach(port: HostedPort): void;
  /** Asks for a mapper; `mapperFound` follows on every port once there is one. */
  needMapper(): void;
  /** `mapper` did not answer: find the gateway again. */
  reportUnreachable(mapper: PortMapper, error: Error): void;
  /** `mapper`'s gateway says it restarted: every mapping on it must be made again. */
  reportRestart(mapper: PortMapper, reason: string): void;
  /** `mapper`'s gateway gave its external address. */
  reportAddress(mapper: PortMapper, address: string | undefined): void;
}

/** What a manager tells each of its ports. */
export interface HostedPort {
  /** Checking interval asked for, which paces the manager's own look at the gateway too. */
  readonly checkIntervalMs: number;
  /** A mapper is ready (the first, or one found again). */
  mapperFound(): void;
  /** The mapper in use stopped answering; another is being looked for. */
  contactLost(error: Error): void;
  /** Looking for a mapper failed with `error`; the manager tries again later. */
  discoveryFailed(error: Error): void;
  /** The gateway restarted and has forgotten its mappings. */
  gatewayRestarted(reason: string): void;
  /** The gateway's external address changed from `previous` to `address`. */
  externalAddressChanged(address: string, previous: string): void;
  /** A failure of the manager's own work that the port's user should hear of. */
  reportError(error: Error): void;
  /** Releases the mapping and ends the port. */
  close(): Promise<void>;
}
