// Two independent sources of the IGD actions' arguments: the client's table (what porthole sends,
// src/upnp/igd/igd-actions.ts) and the virtual gateway's (what a device following the service
// templates expects, src/virtual-gateway/service-actions.ts). Where both have an action they must
// agree on every argument name, its direction and its place.
import assert from "node:assert/strict";
import { test } from "node:test";
import { firewallControlActions } from "../../src/upnp/igd/firewall-control.js";
import { igdActions } from "../../src/upnp/igd/igd-actions.js";
import { actionsOf, type ServiceKind } from "../../src/virtual-gateway/service-actions.js";

const connectionServices: ReadonlyArray<readonly [ServiceKind, 1 | 2]> = [
  ["WANIPConnection", 1],
  ["WANIPConnection", 2],
  ["WANPPPConnection", 1],
];

for (const [kind, version] of connectionServices) {
  test(`the client's actions and ${kind}:${version}'s agree on every argument, in order and direction`, () => {
    const device = new Map(actionsOf(kind, version).map((spec) => [spec.name, spec]));
    for (const client of Object.values(igdActions)) {
      // WANIPConnection:2 actions only exist there; WANPPPConnection:1 has the version-1 set.
      const offered = client.since <= (kind === "WANIPConnection" ? version : 1);
      const spec = device.get(client.name);
      assert.equal(spec !== undefined, offered, `${client.name} offered by ${kind}:${version}`);
      if (!spec) continue;
      assert.deepEqual(client.inArguments.map(([name]) => name), spec.inputs, `${client.name} in-arguments`);
      assert.deepEqual(client.outArguments, spec.outputs, `${client.name} out-arguments`);
    }
  });
}

test("every argument name of the device's table is one a service template defines: New + a state variable's name", () => {
  for (const [kind, version] of connectionServices) {
    for (const spec of actionsOf(kind, version)) for (const name of [...spec.inputs, ...spec.outputs]) assert.match(name, /^New[A-Z][A-Za-z]+$/, `${spec.name}: ${name}`);
  }
});

test("the client's WANIPv6FirewallControl:1 actions and the device's agree on every argument, in order and direction, and both have all seven", () => {
  const device = actionsOf("WANIPv6FirewallControl", 1);
  assert.deepEqual(Object.values(firewallControlActions).map((client) => client.name).sort(), device.map((spec) => spec.name).sort());
  for (const client of Object.values(firewallControlActions)) {
    const spec = device.find((candidate) => candidate.name === client.name)!;
    assert.deepEqual(client.inArguments.map(([name]) => name), spec.inputs, `${client.name} in-arguments`);
    assert.deepEqual(client.outArguments, spec.outputs, `${client.name} out-arguments`);
  }
});
