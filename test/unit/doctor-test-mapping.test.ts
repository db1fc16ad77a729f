// The test mapping step by step on a fake router that records what each step was given: each
// step gets no more than what is left of the diagnosis's budget, the removal that and a short
// grace, and a step the budget cut short is said in the findings. Its mappings' external address
// is 127.0.0.1, so the hairpin datagram stays on loopback.
import assert from "node:assert/strict";
import { test } from "node:test";
import { testMappingFindings, tryTestMapping } from "../../src/doctor/test-mapping.js";
import { TimeoutError } from "../../src/errors/errors.js";
import { removalGraceMs, type Mapping, type MappingCheck, type MapRequest } from "../../src/mapping/port-mapper.js";
import { delay, SequentialBudget, type CallOptions } from "../../src/util/deadline.js";
import { FakeMapper } from "./support/fake-mapper.js";

type Step = "map" | "check" | "release";

/**
 * The fake reads the clock a moment after the budget does, at the start and at each step: what is
 * left by its clock can differ from what the budget reckons by those moments (microseconds).
 */
const clockSlackMs = 5;

/** What a step was given, beside what was left of the budget when it started. */
interface Given {
  timeoutMs: number | undefined;
  leftMs: number;
}

/** A fake router whose read-back and removal, when `slow`, take all the time they are given (the read-back a little more). */
class RecordingMapper extends FakeMapper {
  readonly given = new Map<Step, Given>();
  readonly #startedAt = performance.now();

  constructor(
    private readonly budgetMs: number,
    private readonly slow: boolean,
  ) {
    super(Date.now, {
      release: async (mapping, options) => {
        this.#record("release", options);
        if (!this.slow) return this.unmap(mapping);
        await delay(options!.timeoutMs!);
        throw new TimeoutError("removing the mapping", options!.timeoutMs!);
      },
    });
  }

  override async map(request: MapRequest, options?: CallOptions): Promise<Mapping> {
    this.#record("map", options);
    return { ...(await super.map(request, options)), externalAddress: "127.0.0.1" };
  }

  override async check(mapping: Mapping, options?: CallOptions): Promise<MappingCheck> {
    this.#record("check", options);
    // A little past what it was given: a timer may fire a fraction of a millisecond early, which
    // would leave the hairpin a sliver of the budget.
    if (this.slow) await delay(options!.timeoutMs! + 5);
    return super.check(mapping);
  }

  #record(step: Step, options: CallOptions | undefined): void {
    this.given.set(step, { timeoutMs: options?.timeoutMs, leftMs: this.budgetMs - (performance.now() - this.#startedAt) });
  }
}

/** A budget whose clock has started, as diagnose() starts it with its searches. */
function startedBudget(timeoutMs: number): SequentialBudget {
  const budget = new SequentialBudget(timeoutMs, undefined);
  budget.next();
  return budget;
}

test("a read-back that takes all the time left: the hairpin gets none, the removal only its grace, and both are said", async () => {
  const budgetMs = 400;
  const budget = startedBudget(budgetMs);
  const mapper = new RecordingMapper(budgetMs, true);
  const started = performance.now();
  const outcome = await tryTestMapping(mapper, { budget, leaseSeconds: 120, checkHairpin: true });
  const elapsedMs = performance.now() - started;

  for (const step of ["map", "check"] as const) {
    const { timeoutMs, leftMs } = mapper.given.get(step)!;
    assert.ok(timeoutMs !== undefined && timeoutMs <= leftMs + clockSlackMs, `${step} was given ${timeoutMs} ms with ${leftMs} ms left`);
  }
  const release = mapper.given.get("release")!;
  assert.ok(release.timeoutMs !== undefined && release.timeoutMs <= Math.max(0, release.leftMs) + removalGraceMs + clockSlackMs, `the removal was given ${release.timeoutMs} ms with ${release.leftMs} ms left`);
  assert.ok(elapsedMs < budgetMs + removalGraceMs + 200, `the test mapping took ${Math.round(elapsedMs)} ms`);

  assert.ok(outcome.state === "mapped" && outcome.hairpin === "out-of-time" && !outcome.removed, JSON.stringify(outcome));
  const findings = testMappingFindings(outcome, "PCP");
  assert.deepEqual(
    findings.map((finding) => finding.id),
    ["hairpin-inconclusive", "test-mapping-not-removed"],
  );
  assert.match(findings[0]!.title, /^the time ran out before a datagram sent to the external address could come back/);
  assert.match(findings[1]!.title, /did not confirm in time that the test mapping \(UDP \d+\) was removed: if it still has it, it ends with its 120 s lease$/);
});

test("a router that answers at once: the hairpin datagram that comes back is heard, and the removal is confirmed", async () => {
  const budget = startedBudget(3000);
  const mapper = new RecordingMapper(3000, false);
  const outcome = await tryTestMapping(mapper, { budget, leaseSeconds: 120, checkHairpin: true });
  assert.ok(outcome.state === "mapped" && outcome.hairpin === "works" && outcome.removed);
  assert.deepEqual(testMappingFindings(outcome, "PCP").map((finding) => finding.id), ["hairpin-works"]);
  assert.equal(mapper.table.size, 0, "the test mapping is removed");
});
