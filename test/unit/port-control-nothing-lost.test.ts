// "Nothing lost" over NAT-PMP and PCP: a gateway acts on a MAP when it arrives, so a MAP whose
// answer never comes (the budget ends, the caller aborts) may have made a mapping all the same,
// one that would stay for its whole lifetime without the caller knowing of it. The mapper deletes
// it again. A relay on loopback stands between the mapper and the virtual gateway and loses the
// gateway's answers to MAP requests, deletes included, which the gateway still carries out.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { NatPmpError, PcpError, TimeoutError, type VirtualGatewayOptions } from "../../src/index.js";
import { removalGraceMs } from "../../src/mapping/port-mapper.js";
import { mapLifetimeOf, portControlSetUp, startRelay, watchDeletes } from "./support/port-control-fixture.js";

/** Time a loaded machine may add to a bound the code keeps. */
const slackMs = 200;

/** A NAT-PMP or PCP mapper behind a relay that loses the answers to MAP requests (deletes too) while `mapAnswersLost` is true. */
async function mapperBehindRelay(t: TestContext, protocol: "natpmp" | "pcp", gatewayOptions: VirtualGatewayOptions = {}) {
  const deletes = watchDeletes(gatewayOptions);
  const setUp = await portControlSetUp(t, deletes.options);
  const state = { mapAnswersLost: true };
  const relay = await startRelay(t, setUp.gateway, (bytes) => (state.mapAnswersLost && mapLifetimeOf(bytes) !== undefined ? "drop-answer" : "pass"));
  const mapper = protocol === "natpmp" ? setUp.natPmp({ gatewayPort: relay.port }) : setUp.pcp({ gatewayPort: relay.port });
  const deletesSent = (): number => relay.received.filter(({ bytes }) => mapLifetimeOf(bytes) === 0).length;
  return { ...setUp, state, relay, mapper, deletesSent, deletesCarriedOut: deletes.carriedOut };
}

/** Reports each mapping the gateway granted (a MAP with a lifetime, answered with success). */
function onGranted(protocol: "natpmp" | "pcp", granted: () => void): VirtualGatewayOptions {
  return {
    onActivity: (activity) => {
      if (activity.type === protocol && (activity.granted?.lifetimeSeconds ?? 0) > 0) granted();
    },
  };
}

for (const [protocol, name] of [["natpmp", "NAT-PMP"], ["pcp", "PCP"]] as const) {
  test(`${name}: a MAP whose answer is lost is deleted again when the budget ends; map() rejects with its own TimeoutError within the removal's grace, the delete unanswered too`, async (t) => {
    let made = 0;
    const { gateway, mapper, deletesSent, deletesCarriedOut } = await mapperBehindRelay(t, protocol, onGranted(protocol, () => made++));
    const budgetMs = 300;
    const started = performance.now();
    await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7300 }, { timeoutMs: budgetMs }), (error: unknown) => {
      assert.ok(error instanceof TimeoutError, String(error));
      assert.deepEqual([error.code, error.timeoutMs], ["PORTHOLE_TIMEOUT", budgetMs]);
      return true;
    });
    const tookMs = performance.now() - started;
    await deletesCarriedOut(1);
    assert.equal(made, 1, "the gateway made the mapping");
    assert.deepEqual(gateway.mappings, [], "nothing left mapped");
    assert.equal(deletesSent(), 1, "a delete (lifetime 0) was sent");
    assert.ok(tookMs < budgetMs + removalGraceMs + slackMs, `map() took ${Math.round(tookMs)} ms of a ${budgetMs} ms budget`);
  });

  test(`${name}: a caller abort after the MAP reached the gateway rejects with its reason and leaves nothing mapped, off the aborted signal`, async (t) => {
    const controller = new AbortController();
    const reason = new Error("the caller gave up");
    const { gateway, mapper, deletesSent, deletesCarriedOut } = await mapperBehindRelay(t, protocol, onGranted(protocol, () => controller.abort(reason)));
    const started = performance.now();
    await assert.rejects(mapper.map({ protocol: "TCP", internalPort: 7310 }, { signal: controller.signal }), (error) => error === reason);
    const tookMs = performance.now() - started;
    await deletesCarriedOut(1);
    assert.deepEqual(gateway.mappings, [], "nothing left mapped");
    assert.equal(deletesSent(), 1, "a delete was sent although the caller's signal had aborted");
    assert.ok(tookMs < removalGraceMs + slackMs, `map() took ${Math.round(tookMs)} ms after an abort at once; the budget was the default 10 s`);
  });

  test(`${name}: nothing is deleted for a MAP that was never sent (the signal had aborted) or that the gateway refused`, async (t) => {
    const { relay, mapper, state, deletesSent } = await mapperBehindRelay(t, protocol, { quirks: { tableLimit: 0 } });
    const reason = new Error("aborted before");
    await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7320 }, { signal: AbortSignal.abort(reason) }), (error) => error === reason);
    assert.equal(relay.received.length, 0, "nothing was sent");
    state.mapAnswersLost = false;
    await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7321 }, { timeoutMs: 2000 }), protocol === "natpmp" ? NatPmpError : PcpError);
    assert.equal(deletesSent(), 0);
  });

  test(`${name}: a renewal whose answer is lost leaves the mapping the caller holds; once released, an unanswered MAP of it is deleted again`, async (t) => {
    const { gateway, mapper, state, deletesSent, deletesCarriedOut } = await mapperBehindRelay(t, protocol);
    state.mapAnswersLost = false;
    const mapping = await mapper.map({ protocol: "UDP", internalPort: 7330 });
    state.mapAnswersLost = true;
    await assert.rejects(mapping.renew({ timeoutMs: 300 }), TimeoutError);
    assert.equal(deletesSent(), 0);
    assert.deepEqual(gateway.mappings.map((m) => m.internalPort), [7330]);
    state.mapAnswersLost = false;
    await mapping.release();
    state.mapAnswersLost = true;
    await assert.rejects(mapper.map({ protocol: "UDP", internalPort: 7330 }, { timeoutMs: 300 }), TimeoutError);
    await deletesCarriedOut(2);
    assert.equal(deletesSent(), 2, "the release, then the delete of the unanswered MAP");
    assert.deepEqual(gateway.mappings, []);
  });
}
