import type { TestContext } from "node:test";
import { MappingManager, type MappingManagerOptions } from "../../../src/index.js";
import { FakeMapper, type FakeMapperHooks } from "./fake-mapper.js";
import { ManualClock } from "./manual-clock.js";

/** A manager in simulated time on a `FakeMapper` the caller gave (no discovery), closed after the test. */
export function fakeManager(t: TestContext, hooks: FakeMapperHooks = {}, options: MappingManagerOptions = {}): { clock: ManualClock; mapper: FakeMapper; manager: MappingManager } {
  const clock = new ManualClock();
  const mapper = new FakeMapper(clock.now, hooks);
  const manager = new MappingManager({ mapper, clock, ...options });
  t.after(() => manager.close());
  return { clock, mapper, manager };
}
