// The epoch checks: NAT-PMP's 7/8 rule (RFC 6886 §3.6) and PCP's two-clock rule (RFC 6887 §8.5),
// at their exact boundaries, and the watch that counts losses of state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EpochWatch } from "../../src/port-control/epoch-watch.js";
import { natPmpEpochLost } from "../../src/natpmp/natpmp-epoch.js";
import { pcpEpochInvalid } from "../../src/pcp/pcp-epoch.js";

const at = (serverSeconds: number, clientSeconds: number) => ({ serverSeconds, clientMs: clientSeconds * 1000 });

test("NAT-PMP: an epoch more than 2 s below the previous one plus 7/8 of our elapsed time means lost state", () => {
  // 80 s passed on our clock: at least 100 + 70 - 2 = 168 is expected.
  assert.equal(natPmpEpochLost(at(100, 0), at(168, 80)), false);
  assert.equal(natPmpEpochLost(at(100, 0), at(167.99, 80)), true);
  assert.equal(natPmpEpochLost(at(100, 0), at(180, 80)), false);
  // Right after a reply, the same epoch again (or one a second lower) is fine; 3 lower is not.
  assert.equal(natPmpEpochLost(at(100, 0), at(98, 0)), false);
  assert.equal(natPmpEpochLost(at(100, 0), at(97, 0)), true);
  // The gateway rebooted: its epoch restarts near 0.
  assert.equal(natPmpEpochLost(at(86_400, 0), at(5, 60)), true);
});

test("PCP: back by more than one second is invalid, by one is reordering", () => {
  assert.equal(pcpEpochInvalid(at(100, 0), at(99, 0)), false);
  assert.equal(pcpEpochInvalid(at(100, 0), at(98, 0)), true);
});

test("PCP: the two clocks may disagree by 2 s plus 1/16 of the time passed, no more", () => {
  // Our clock saw 160 s. The server counted too much when client_delta + 2 < server_delta - server_delta/16:
  assert.equal(pcpEpochInvalid(at(0, 0), at(172, 160)), false); // 162 < 172 - 10 is false
  assert.equal(pcpEpochInvalid(at(0, 0), at(173, 160)), true); // 162 < 173 - 10 is true
  // ... too little when server_delta + 2 < client_delta - client_delta/16:
  assert.equal(pcpEpochInvalid(at(0, 0), at(148, 160)), false); // 150 < 160 - 10 is false
  assert.equal(pcpEpochInvalid(at(0, 0), at(147, 160)), true); // 149 < 150 is true
  // Integer arithmetic (RFC 6887 §8.5): our clock counts whole seconds, 160.999 s is 160.
  assert.equal(pcpEpochInvalid(at(0, 0), { serverSeconds: 148, clientMs: 160_999 }), false);
  assert.equal(pcpEpochInvalid(at(0, 0), { serverSeconds: 148, clientMs: 161_000 }), true); // 150 < 161 - 10
});

test("EpochWatch: the first epoch is taken as valid; each loss is counted once", () => {
  let now = 0;
  const watch = new EpochWatch(pcpEpochInvalid, () => now);
  assert.equal(watch.started, false);
  assert.equal(watch.observe(1_000), false);
  assert.equal(watch.started, true);
  now = 10_000;
  assert.equal(watch.observe(1_010), false);
  now = 20_000;
  assert.equal(watch.observe(3), true);
  assert.equal(watch.losses, 1);
  now = 30_000;
  assert.equal(watch.observe(13), false, "after a reset, the new epoch is the reference");
  assert.equal(watch.losses, 1);
});
