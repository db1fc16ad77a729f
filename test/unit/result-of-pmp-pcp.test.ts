// NAT-PMP and PCP refusals as the Redot API reports them: the nearest UPNPResult, in one table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NatPmpError, PcpError, PortUnavailableError, resultNameOf, isPortholeError } from "../../src/index.js";

test("every NAT-PMP result code has its nearest UPNPResult", () => {
  const expected = ["", "ACTION_FAILED", "NOT_AUTHORIZED", "ACTION_FAILED", "NO_PORT_MAPS_AVAILABLE", "ACTION_FAILED", "UNKNOWN_ERROR"];
  for (let code = 1; code <= 6; code++) assert.equal(resultNameOf(new NatPmpError("map UDP 1", code)), expected[code], `result ${code}`);
});

test("every PCP result code has its nearest UPNPResult", () => {
  const expected = [
    "",
    "ACTION_FAILED",
    "NOT_AUTHORIZED",
    "INVALID_ARGS",
    "ACTION_FAILED",
    "INVALID_ARGS",
    "INVALID_ARGS",
    "ACTION_FAILED",
    "NO_PORT_MAPS_AVAILABLE",
    "INVALID_PROTOCOL",
    "NO_PORT_MAPS_AVAILABLE",
    "CONFLICT_WITH_OTHER_MAPPING",
    "NOT_AUTHORIZED",
    "ACTION_FAILED",
    "UNKNOWN_ERROR",
  ];
  for (let code = 1; code <= 14; code++) assert.equal(resultNameOf(new PcpError("MAP UDP 1", code)), expected[code], `result ${code}`);
});

test("a port the caller would not trade for another is CONFLICT_WITH_OTHER_MAPPING, as UPnP's 718", () => {
  assert.equal(resultNameOf(new PortUnavailableError(7000, 7001, "pcp")), "CONFLICT_WITH_OTHER_MAPPING");
});

test("the new errors are PortholeErrors with stable codes", () => {
  for (const [error, code] of [
    [new NatPmpError("x", 2), "PORTHOLE_NATPMP_ERROR"],
    [new PcpError("x", 2), "PORTHOLE_PCP_ERROR"],
    [new PortUnavailableError(1, 2, "natpmp"), "PORTHOLE_PORT_UNAVAILABLE"],
  ] as const) {
    assert.ok(isPortholeError(error));
    assert.equal(error.code, code);
    assert.equal(error.upnpCode, undefined);
  }
});
