// `protocol: "auto"` against the real miniupnpd in the three ways a router is set up: UPnP and
// NAT-PMP/PCP both on, UPnP off, NAT-PMP/PCP off. Each time porthole must pick a protocol that
// works, map, prove it with a packet from the ISP host, and remove it again: the daemon's DNAT
// rule gone and the packet no longer arriving.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { rigFromEnvironment, startMiniupnpd, type MiniupnpdOptions } from "./rig.js";
import { dnatRules } from "./nft-rules.js";
import { assertForwarded, assertNotForwarded, listenOnLan } from "./forwarding-checks.js";
import { NoGatewayError, findPortMapper, type MappingMethod } from "../../src/index.js";

const rig = rigFromEnvironment();

const setups: ReadonlyArray<{ name: string; options: MiniupnpdOptions; expected: MappingMethod }> = [
  { name: "UPnP and NAT-PMP/PCP on", options: {}, expected: "pcp" },
  { name: "UPnP off", options: { enableUpnp: false }, expected: "pcp" },
  { name: "NAT-PMP/PCP off", options: { enableNatpmp: false }, expected: "upnp" },
];

for (const [index, { name, options, expected }] of setups.entries()) {
  test(`auto with ${name}: maps through ${expected}, a packet from the ISP host arrives, and after release the rule and the forwarding are gone`, async (t: TestContext) => {
    const daemon = await startMiniupnpd(rig, options);
    t.after(() => daemon.stop());
    const port = 42000 + index;
    const listener = await listenOnLan(rig, "UDP", port);
    t.after(() => listener.close());

    // No gateway address, no URL: the default route and the SSDP search find it, as for a user.
    const mapper = await findPortMapper({ upnp: { multicastInterface: rig.lan.ifname } });
    assert.equal(mapper.method, expected);
    assert.equal(mapper.gatewayAddress, rig.gateway.lanIpv4);
    const mapping = await mapper.map({ protocol: "UDP", internalPort: port, leaseSeconds: 600 });
    assert.equal(mapping.method, expected);
    assert.equal(mapping.externalAddress, "11.22.33.44");
    assert.equal(mapping.internalClient, rig.lan.ipv4);
    assert.equal((await dnatRules(rig)).filter((rule) => rule.includes(`dport ${mapping.externalPort}`)).length, 1);
    await assertForwarded(rig, listener, "UDP", mapping.externalPort);

    await mapping.release();
    assert.deepEqual(await dnatRules(rig), []);
    await assertNotForwarded(rig, listener, "UDP", mapping.externalPort);
  });
}

test("auto with everything off (miniupnpd will not run so, hence no daemon): a NoGatewayError that says what each protocol answered", async () => {
  await assert.rejects(findPortMapper({ upnp: { multicastInterface: rig.lan.ifname, listenMs: 500 }, timeoutMs: 3000 }), (error: unknown) => {
    assert.ok(error instanceof NoGatewayError, String(error));
    assert.match(error.message, /PCP: .*; NAT-PMP: .*; UPnP: no UPnP device answered/);
    assert.equal(error.nothingAnswered, true);
    return true;
  });
});
