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

/**
 * Times each operation on its own, `repetitions.quick` rounds (after two untimed ones): every add
 * variant maps its own port, then the external address is read, then each mapping is deleted
 * (every delete is a sample of the delete row). Ports are `firstPort` upwards, one per add.
 */
export async function measureOperations(context: BenchContext, operations: ClientOperations, firstPort: number): Promise<void> {
  const addSamples = operations.add.map((): number[] => []);
  const ipSamples: number[] = [];
  const deleteSamples: number[] = [];
  let port = firstPort;
  for (let round = 0; round < warmupRounds + repetitions.quick; round++) {
    const timed = round >= warmupRounds;
    const ports: number[] = [];
    for (const [variant, add] of operations.add.entries()) {
      const mapped = port++;
      ports.push(mapped);
      const ms = await timeIt(() => add.run(mapped));
      if (timed) addSamples[variant]!.push(ms);
    }
    const ipMs = await timeIt(() => operations.externalIp.run());
    if (timed) ipSamples.push(ipMs);
    for (const mapped of ports) {
      const ms = await timeIt(() => operations.delete.run(mapped));
      if (timed) deleteSamples.push(ms);
    }
  }
  const { recorder } = context;
  operations.add.forEach((add, variant) => recorder.record("add", add.subject, addSamples[variant]!, add.note));
  recorder.record("external-ip", operations.externalIp.subject, ipSamples, operations.externalIp.note);
  recorder.record("delete", operations.delete.subject, deleteSamples, operations.delete.note);
}
