import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError, InvalidResponseError, NoExternalAddressError, UpnpActionError } from "../../src/errors/errors.js";
import type { HostNetwork } from "../../src/net/host-network.js";
import { UpnpPinholeMapper } from "../../src/upnp/firewall/upnp-pinhole-mapper.js";
import * as firewall from "../../src/upnp/igd/firewall-control.js";
import type { ServiceEndpoint } from "../../src/upnp/igd/igd-actions.js";
import { faultReply, soapReply, startControlServer, type ActionHandler, type ControlServer } from "../fixtures/soap/control-server.js";

const serviceType = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";
const ourAddress = "2001:db8:1::2";

async function withServer(handlers: Record<string, ActionHandler>, test: (service: ServiceEndpoint, server: ControlServer) => Promise<void>): Promise<void> {
  const server = await startControlServer(handlers);
  try {
    await test({ controlUrl: server.controlUrl, serviceType }, server);
  } finally {
    await server.close();
  }
}

/** The in-arguments of a captured request, in the order they were sent. */
function argumentsIn(body: string): Array<[string, string]> {
  const inner = /<u:\w+ [^>]*>(.*)<\/u:\w+>/s.exec(body)?.[1] ?? "";
  return [...inner.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((match) => [match[1]!, match[2]!]);
}

const reply = (action: string, inner = ""): ActionHandler => () => ({ body: soapReply(action, inner, serviceType) });

describe("WANIPv6FirewallControl actions", () => {
  it("AddPinhole sends the six arguments in the template's order, the protocol as its IANA number", () =>
    withServer({ AddPinhole: reply("AddPinhole", "<UniqueID>7</UniqueID>") }, async (service, server) => {
      const id = await firewall.addPinhole(service, { remoteHost: "", remotePort: 0, internalClient: ourAddress, internalPort: 7777, protocol: "UDP", leaseSeconds: 600 });
      assert.equal(id, 7);
      assert.deepEqual(argumentsIn(server.requests[0]!.body), [
        ["RemoteHost", ""],
        ["RemotePort", "0"],
        ["InternalClient", ourAddress],
        ["InternalPort", "7777"],
        ["Protocol", "17"],
        ["LeaseTime", "600"],
      ]);
    }));

  it("refuses before any traffic: a lease of 0 or over a day, an IPv4 or zoned client, an unknown protocol", () =>
    withServer({}, async (service, server) => {
      const base = { remoteHost: "", remotePort: 0, internalClient: ourAddress, internalPort: 7777, protocol: "TCP" as const, leaseSeconds: 600 };
      const refused = async (change: Partial<typeof base>, problem: string) =>
        assert.rejects(firewall.addPinhole(service, { ...base, ...change } as typeof base), (e: unknown) => e instanceof InvalidArgumentError && e.problem === problem);
      await refused({ leaseSeconds: 0 }, "lease");
      await refused({ leaseSeconds: 86401 }, "lease");
      await refused({ internalClient: "192.0.2.2" }, "value");
      await refused({ internalClient: "fe80::2%eth0" }, "value");
      await refused({ protocol: "SCTP" as "TCP" }, "protocol");
      assert.equal(server.requests.length, 0);
      // The bounds themselves are accepted.
      await assert.rejects(firewall.addPinhole(service, { ...base, leaseSeconds: 1 }), (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 401);
      await assert.rejects(firewall.addPinhole(service, { ...base, leaseSeconds: 86400 }), (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 401);
    }));

  it("reads the firewall status, packets, the working check and the outbound timeout", () =>
    withServer(
      {
        GetFirewallStatus: reply("GetFirewallStatus", "<FirewallEnabled>1</FirewallEnabled><InboundPinholeAllowed>0</InboundPinholeAllowed>"),
        GetPinholePackets: reply("GetPinholePackets", "<PinholePackets>42</PinholePackets>"),
        CheckPinholeWorking: reply("CheckPinholeWorking", "<IsWorking>1</IsWorking>"),
        GetOutboundPinholeTimeout: reply("GetOutboundPinholeTimeout", "<OutboundPinholeTimeout>120</OutboundPinholeTimeout>"),
        UpdatePinhole: reply("UpdatePinhole"),
        DeletePinhole: reply("DeletePinhole"),
      },
      async (service, server) => {
        assert.deepEqual(await firewall.getFirewallStatus(service), { firewallEnabled: true, inboundPinholeAllowed: false });
        assert.equal(await firewall.getPinholePackets(service, 3), 42);
        assert.equal(await firewall.checkPinholeWorking(service, 3), true);
        const flow = { remoteHost: "2001:db8:2::2", remotePort: 5000, internalClient: ourAddress, internalPort: 7777, protocol: "TCP" as const };
        assert.equal(await firewall.getOutboundPinholeTimeout(service, flow), 120);
        await firewall.updatePinhole(service, 3, 900);
        await firewall.deletePinhole(service, 3);
        assert.deepEqual(argumentsIn(server.requests[3]!.body), [["RemoteHost", "2001:db8:2::2"], ["RemotePort", "5000"], ["InternalClient", ourAddress], ["InternalPort", "7777"], ["Protocol", "6"]]);
        assert.deepEqual(argumentsIn(server.requests[4]!.body), [["UniqueID", "3"], ["NewLeaseTime", "900"]]);
        assert.deepEqual(argumentsIn(server.requests[5]!.body), [["UniqueID", "3"]]);
      },
    ));

  it("a router's junk in an answer is an InvalidResponseError; its fault a typed UpnpActionError with the code", () =>
    withServer(
      {
        GetFirewallStatus: reply("GetFirewallStatus", "<FirewallEnabled>yes</FirewallEnabled><InboundPinholeAllowed>1</InboundPinholeAllowed>"),
        AddPinhole: reply("AddPinhole", "<UniqueID>65536</UniqueID>"),
        CheckPinholeWorking: () => faultReply(709, "NoTrafficReceived"),
      },
      async (service) => {
        await assert.rejects(firewall.getFirewallStatus(service), InvalidResponseError);
        const base = { remoteHost: "", remotePort: 0, internalClient: ourAddress, internalPort: 7777, protocol: "TCP" as const, leaseSeconds: 600 };
        await assert.rejects(firewall.addPinhole(service, base), InvalidResponseError);
        await assert.rejects(firewall.checkPinholeWorking(service, 1), (e: unknown) => e instanceof UpnpActionError && e.upnpCode === 709 && e.action === "CheckPinholeWorking");
        assert.equal(firewall.firewallControlErrorNames.get(709), "NoTrafficReceived");
      },
    ));
});

/** A host whose only interface toward loopback carries `addresses` (if_inet6 lines). */
function hostWith(ipv6Table: string): HostNetwork {
  const info = { address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4" as const, mac: "00:00:00:00:00:00", internal: true, cidr: "127.0.0.1/8" };
  return { interfaces: () => ({ lo: [info] }), ipv4RouteTable: () => undefined, ipv6AddressTable: () => ipv6Table , ipv6RouteTable: () => undefined};
}

describe("UpnpPinholeMapper", () => {
  const firewallService = (server: ControlServer) => ({ serviceType, version: 1, controlUrl: server.controlUrl, deviceType: "urn:schemas-upnp-org:device:WANConnectionDevice:2" });

  it("opens a pinhole to our own address and port, renews it with UpdatePinhole and releases it with DeletePinhole", async () => {
    let lease = "";
    const server = await startControlServer({
      AddPinhole: (request) => ((lease = argumentsIn(request.body)[5]![1]), { body: soapReply("AddPinhole", "<UniqueID>12</UniqueID>", serviceType) }),
      UpdatePinhole: reply("UpdatePinhole"),
      DeletePinhole: reply("DeletePinhole"),
    });
    try {
      const mapper = new UpnpPinholeMapper(firewallService(server), { internalAddress: ourAddress, now: () => 1_000_000 });
      const mapping = await mapper.map({ protocol: "udp", internalPort: 7777, leaseSeconds: 0 });
      assert.equal(mapping.method, "upnp-pinhole");
      assert.equal(mapping.externalAddress, ourAddress);
      assert.equal(mapping.externalPort, 7777);
      assert.equal(mapping.pinholeId, 12);
      // No permanent pinholes: a day, renewed at half of it.
      assert.equal(lease, "86400");
      assert.equal(mapping.leaseSeconds, 86400);
      assert.equal(mapping.renewAfter, 1_000_000 + 43_200_000);
      const renewed = await mapping.renew();
      assert.equal(renewed.pinholeId, 12);
      await renewed.release();
      assert.deepEqual(server.requests.map((r) => r.action), ["AddPinhole", "UpdatePinhole", "DeletePinhole"]);
    } finally {
      await server.close();
    }
  });

  it("a renewal of a pinhole the firewall forgot (402 on miniupnpd, 704 by the spec) opens it again", async () => {
    for (const code of [402, 704]) {
      let adds = 0;
      const server = await startControlServer({
        AddPinhole: () => ({ body: soapReply("AddPinhole", `<UniqueID>${++adds}</UniqueID>`, serviceType) }),
        UpdatePinhole: () => faultReply(code, "gone"),
      });
      try {
        const mapper = new UpnpPinholeMapper(firewallService(server), { internalAddress: ourAddress });
        const renewed = await (await mapper.map({ protocol: "TCP", internalPort: 8000 })).renew();
        assert.equal(renewed.pinholeId, 2, `after ${code}`);
      } finally {
        await server.close();
      }
    }
  });

  it("check: GetPinholePackets answering is present, 402/704 missing, anything else unknown", async () => {
    let answer: "ok" | number = "ok";
    const server = await startControlServer({
      AddPinhole: reply("AddPinhole", "<UniqueID>5</UniqueID>"),
      GetPinholePackets: () => (answer === "ok" ? { body: soapReply("GetPinholePackets", "<PinholePackets>0</PinholePackets>", serviceType) } : faultReply(answer, "x")),
    });
    try {
      const mapper = new UpnpPinholeMapper(firewallService(server), { internalAddress: ourAddress });
      const mapping = await mapper.map({ protocol: "TCP", internalPort: 8000 });
      assert.equal((await mapper.check(mapping)).state, "present");
      answer = 704;
      assert.equal((await mapper.check(mapping)).state, "missing");
      answer = 402;
      assert.equal((await mapper.check(mapping)).state, "missing");
      answer = 501;
      assert.equal((await mapper.check(mapping)).state, "unknown");
    } finally {
      await server.close();
    }
  });

  it("unmap by port learns the UniqueID from a duplicate AddPinhole and deletes it", async () => {
    const server = await startControlServer({ AddPinhole: reply("AddPinhole", "<UniqueID>9</UniqueID>"), DeletePinhole: reply("DeletePinhole") });
    try {
      const mapper = new UpnpPinholeMapper(firewallService(server), { internalAddress: ourAddress });
      await mapper.unmap({ protocol: "UDP", internalPort: 9000, externalPort: 9000 });
      assert.deepEqual(server.requests.map((r) => r.action), ["AddPinhole", "DeletePinhole"]);
      assert.deepEqual(argumentsIn(server.requests[1]!.body), [["UniqueID", "9"]]);
    } finally {
      await server.close();
    }
  });

  it("picks the stable global address of the interface toward the gateway, and says so when there is none", async () => {
    const server = await startControlServer({ AddPinhole: reply("AddPinhole", "<UniqueID>1</UniqueID>") });
    try {
      const stable = "20010db8000100000000000000000002 01 40 00 80 lo\n20010db8000100000000000000000009 01 40 00 01 lo";
      const mapper = new UpnpPinholeMapper(firewallService(server), { hostNetwork: hostWith(stable) });
      assert.equal(await mapper.getExternalAddress(), "2001:db8:1::2");
      const none = new UpnpPinholeMapper(firewallService(server), { hostNetwork: hostWith("fe800000000000000000000000000002 01 40 20 80 lo") });
      await assert.rejects(none.map({ protocol: "TCP", internalPort: 8000 }), NoExternalAddressError);
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });

  it("refuses an external port other than the internal one, and a non-IPv6 internalAddress", async () => {
    const server = await startControlServer({});
    try {
      const mapper = new UpnpPinholeMapper(firewallService(server), { internalAddress: ourAddress });
      await assert.rejects(mapper.map({ protocol: "TCP", internalPort: 8000, externalPort: 8001 }), (e: unknown) => e instanceof InvalidArgumentError && e.problem === "port");
      assert.throws(() => new UpnpPinholeMapper(firewallService(server), { internalAddress: "192.0.2.2" }), InvalidArgumentError);
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });
});
