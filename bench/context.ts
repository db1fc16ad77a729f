import type { RigTopology, RunningMiniupnpd } from "../test/gateway/rig.js";
import type { RawService } from "./raw-client.js";
import type { QueuedOperations } from "./operations.js";
import type { Recorder } from "./results.js";

/** What every suite of the bench gets. */
export interface BenchContext {
  readonly rig: RigTopology;
  readonly daemon: RunningMiniupnpd;
  /** The WAN connection service, as porthole found it (control URL and service type). */
  readonly service: RawService;
  /** Our LAN address: the internal client of every mapping. */
  readonly lanAddress: string;
  readonly recorder: Recorder;
  /** Each client's SOAP operations, queued by its suite and measured in turns after the suites. */
  readonly operations: QueuedOperations[];
}

/** How many times each kind of measurement is repeated. */
export const repetitions = {
  /** A single request or a discovery: cheap. */
  quick: 20,
  /**
   * A NAT-PMP or PCP map: under a millisecond, where the machine's own noise is as large as the
   * differences measured, so many more rounds, taken in turns with the floor.
   */
  datagram: 200,
  /** Something that waits for a timer (the compatible discover) or starts a process. */
  process: 10,
  /** A process that only starts, or asks one thing: cheap, and at tens of ms the noisiest rows. */
  startup: 20,
  /** upnpc with discovery: it always waits its whole 2 s. */
  slowProcess: 5,
  /** 1,000 requests. */
  thousand: 3,
  /**
   * 1,000 adds and 1,000 deletes, or a process holding 1,000 mappings: miniupnpd needs about 7 ms
   * per add or delete at that table size, so each run takes about 14 s.
   */
  bulk: 2,
} as const;

/** Each suite uses its own port range, so a mapping a peer fails to delete cannot disturb the next suite. */
export const portBase = {
  floor: 20_000,
  porthole: 21_000,
  compat: 22_000,
  natPortMapper: 23_000,
  upnpc: 24_000,
  cli: 25_000,
  portControl: 26_000,
  recovery: 27_000,
  bulk: 30_000,
} as const;
