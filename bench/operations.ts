import type { BenchContext } from "./context.js";
import { repetitions } from "./context.js";
import { timeIt } from "./timing.js";

/** One way of doing an operation, under the name its row gets. */
export interface LabelledOperation<Argument> {
  readonly subject: string;
  readonly run: (argument: Argument) => Promise<unknown>;
  readonly note?: string;
}

/** How one client adds (possibly in several ways), reads the external address and deletes. */
export interface ClientOperations {
  readonly add: readonly LabelledOperation<number>[];
  readonly externalIp: LabelledOperation<void>;
  readonly delete: LabelledOperation<number>;
}

const warmupRounds = 2;

/** One client's operations, queued by its suite, and what to do once they were measured. */
export interface QueuedOperations {
  readonly operations: ClientOperations;
  /** Ports from here upwards, one per add. */
  readonly firstPort: number;
  readonly after?: (() => Promise<void>) | undefined;
}

/**
 * Queues a client's add, external address and delete, to be measured with every other client's
 * in turns (`measureQueuedOperations`): the floor and the clients then meet the same moment of the
 * machine, which moves a sub-millisecond floor more than a client's fixed overhead.
 */
export function queueOperations(context: BenchContext, operations: ClientOperations, firstPort: number, after?: () => Promise<void>): void {
  context.operations.push({ operations, firstPort, after });
}

/**
 * Times the queued clients' operations in turns, `repetitions.quick` rounds (after two untimed
 * ones): in each round every client's add variants (each on a port of its own), then every
 * client's external address, then every delete (each a sample of its client's delete row), the
 * clients in an order that turns by one each round.
 */
export async function measureQueuedOperations(context: BenchContext): Promise<void> {
  const clients = context.operations.splice(0);
  const samples = clients.map(({ operations, firstPort }) => ({ add: operations.add.map((): number[] => []), externalIp: [] as number[], delete: [] as number[], nextPort: firstPort }));
  for (let round = 0; round < warmupRounds + repetitions.quick; round++) {
    const timed = round >= warmupRounds;
    const record = (into: number[], ms: number): void => {
      if (timed) into.push(ms);
    };
    // Each round starts with the next client: a client's requests can slow the one right after it
    // (a peer's connections still closing), and no row should always be that one.
    const order = clients.map((_, offset) => (round + offset) % clients.length);
    const ports = clients.map((): number[] => []);
    for (const index of order) {
      for (const [variant, add] of clients[index]!.operations.add.entries()) {
        const port = samples[index]!.nextPort++;
        ports[index]!.push(port);
        record(samples[index]!.add[variant]!, await timeIt(() => add.run(port)));
      }
    }
    for (const index of order) record(samples[index]!.externalIp, await timeIt(() => clients[index]!.operations.externalIp.run()));
    for (const index of order) {
      for (const port of ports[index]!) record(samples[index]!.delete, await timeIt(() => clients[index]!.operations.delete.run(port)));
    }
  }
  const { recorder } = context;
  for (const [index, { operations, after }] of clients.entries()) {
    const measured = samples[index]!;
    operations.add.forEach((add, variant) => recorder.record("add", add.subject, measured.add[variant]!, add.note));
    recorder.record("external-ip", operations.externalIp.subject, measured.externalIp, operations.externalIp.note);
    recorder.record("delete", operations.delete.subject, measured.delete, operations.delete.note);
    await after?.();
  }
}
