import { resultOf } from "../../src/compat/result-of.js";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UPNPResult } from "../../src/compat/result-codes.js";
import { InvalidArgumentError, InvalidResponseError, UpnpActionError } from "../../src/errors/errors.js";
import * as igd from "../../src/upnp/igd/igd-client.js";
import * as walk from "../../src/upnp/igd/port-table-walk.js";
import { escapeXmlText } from "../../src/xml/parse-xml.js";
import { faultReply, soapReply, startControlServer, type ActionHandler, type ControlServer } from "../fixtures/soap/control-server.js";

const serviceType = "urn:schemas-upnp-org:service:WANIPConnection:2";

/** Starts a server with these handlers for one test and closes it afterwards. */
async function withServer(
  handlers: Record<string, ActionHandler>,
  test: (service: igd.ServiceEndpoint, server: ControlServer) => Promise<void>,
): Promise<void> {
  const server = await startControlServer(handlers);
  try {
    await test({ controlUrl: server.controlUrl, serviceType }, server);
  } finally {
    await server.close();
  }
}

/** The value of argument `name` in a captured request body. */
function argumentIn(body: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
}

function entryXml(values: { remoteHost?: string; port: string; protocol: string; enabled?: string; lease?: string }): string {
  return (
    `<NewRemoteHost>${values.remoteHost ?? ""}</NewRemoteHost><NewExternalPort>${values.port}</NewExternalPort>` +
    `<NewProtocol>${values.protocol}</NewProtocol><NewInternalPort>${values.port}</NewInternalPort>` +
    `<NewInternalClient>192.0.2.10</NewInternalClient><NewEnabled>${values.enabled ?? "1"}</NewEnabled>` +
    `<NewPortMappingDescription>entry ${values.port}</NewPortMappingDescription>` +
    `<NewLeaseDuration>${values.lease ?? "0"}</NewLeaseDuration>`
  );
}

const addRequest: igd.AddPortMappingRequest = {
  externalPort: 8080,
  protocol: "TCP",
  internalPort: 80,
  internalClient: "192.0.2.10",
  description: "web",
  leaseSeconds: 3600,
};

describe("IGD client: adding and deleting", () => {
  let server: ControlServer;
  let service: igd.ServiceEndpoint;
  before(async () => {
    server = await startControlServer({
      AddPortMapping: (request) =>
        argumentIn(request.body, "NewExternalPort") === "22" ? faultReply(718, "ConflictInMappingEntry") : { body: soapReply("AddPortMapping", "") },
      AddAnyPortMapping: (request) =>
        argumentIn(request.body, "NewExternalPort") === "1"
          ? { body: soapReply("AddAnyPortMapping", "<NewReservedPort>http</NewReservedPort>") }
          : { body: soapReply("AddAnyPortMapping", "<NewReservedPort> 40123 </NewReservedPort>") },
      DeletePortMapping: () => faultReply(714, "NoSuchEntryInArray"),
      DeletePortMappingRange: () => ({ body: soapReply("DeletePortMappingRange", "") }),
    });
    service = { controlUrl: server.controlUrl, serviceType };
  });
  after(() => server.close());

  it("sends AddPortMapping with every argument in order, remote host empty and enabled 1", async () => {
    const before = server.requests.length;
    await igd.addPortMapping(service, { ...addRequest, description: "Jeu </NewPortMappingDescription> 🎮" });
    const request = server.requests[before]!;
    assert.equal(request.action, "AddPortMapping");
    assert.ok(
      request.body.includes(
        "<NewRemoteHost></NewRemoteHost><NewExternalPort>8080</NewExternalPort><NewProtocol>TCP</NewProtocol>" +
          "<NewInternalPort>80</NewInternalPort><NewInternalClient>192.0.2.10</NewInternalClient><NewEnabled>1</NewEnabled>" +
          "<NewPortMappingDescription>Jeu &lt;/NewPortMappingDescription&gt; 🎮</NewPortMappingDescription>" +
          "<NewLeaseDuration>3600</NewLeaseDuration>",
      ),
    );
    assert.equal(request.headers["content-length"], String(request.bodyBytes));
  });

  it("sends the protocol upper-case even when given lower-case (tailscale#7377)", async () => {
    const before = server.requests.length;
    await igd.addPortMapping(service, { ...addRequest, protocol: "udp" as igd.TransportProtocol });
    assert.equal(argumentIn(server.requests[before]!.body, "NewProtocol"), "UDP");
  });

  it("reports a conflict as UpnpActionError CONFLICT_WITH_OTHER_MAPPING", async () => {
    await assert.rejects(
      igd.addPortMapping(service, { ...addRequest, externalPort: 22 }),
      (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 718 && resultOf(error) === UPNPResult.CONFLICT_WITH_OTHER_MAPPING,
    );
  });

  it("returns the port AddAnyPortMapping reserved, and refuses a non-numeric one", async () => {
    assert.equal(await igd.addAnyPortMapping(service, addRequest), 40123);
    await assert.rejects(igd.addAnyPortMapping(service, { ...addRequest, externalPort: 1 }), InvalidResponseError);
  });

  it("reports deleting a missing mapping as NO_SUCH_ENTRY_IN_ARRAY", async () => {
    await assert.rejects(
      igd.deletePortMapping(service, { externalPort: 8080, protocol: "TCP" }),
      (error: unknown) => error instanceof UpnpActionError && resultOf(error) === UPNPResult.NO_SUCH_ENTRY_IN_ARRAY,
    );
  });

  it("sends DeletePortMappingRange with manage as 1/0", async () => {
    const before = server.requests.length;
    await igd.deletePortMappingRange(service, { startPort: 1000, endPort: 2000, protocol: "UDP", manage: false });
    assert.ok(
      server.requests[before]!.body.includes(
        "<NewStartPort>1000</NewStartPort><NewEndPort>2000</NewEndPort><NewProtocol>UDP</NewProtocol><NewManage>0</NewManage>",
      ),
    );
  });

  const refusals: Array<[string, () => Promise<unknown>, UPNPResult]> = [
    ["external port 0", () => igd.addPortMapping(service, { ...addRequest, externalPort: 0 }), UPNPResult.INVALID_PORT],
    ["internal port 70000", () => igd.addPortMapping(service, { ...addRequest, internalPort: 70000 }), UPNPResult.INVALID_PORT],
    ["protocol SCTP", () => igd.addPortMapping(service, { ...addRequest, protocol: "SCTP" as igd.TransportProtocol }), UPNPResult.INVALID_PROTOCOL],
    ["a negative lease", () => igd.addAnyPortMapping(service, { ...addRequest, leaseSeconds: -5 }), UPNPResult.INVALID_DURATION],
    ["a hostname as internal client", () => igd.addPortMapping(service, { ...addRequest, internalClient: "pc.local" }), UPNPResult.INVALID_ARGS],
    ["deleting port 0", () => igd.deletePortMapping(service, { externalPort: 0, protocol: "TCP" }), UPNPResult.INVALID_PORT],
    [
      "a range that ends before it starts",
      () => igd.deletePortMappingRange(service, { startPort: 2000, endPort: 1000, protocol: "TCP", manage: false }),
      UPNPResult.INCONSISTENT_PARAMETERS,
    ],
    ["index -1", () => igd.getGenericPortMappingEntry(service, -1), UPNPResult.INVALID_ARGS],
    [
      "numberOfPorts 1.5",
      () => igd.getListOfPortMappings(service, { startPort: 0, endPort: 10, protocol: "TCP", manage: false, numberOfPorts: 1.5 }),
      UPNPResult.INVALID_ARGS,
    ],
  ];
  for (const [label, attempt, result] of refusals) {
    it(`refuses ${label} with ${UPNPResult[result]} before any request`, async () => {
      const before = server.requests.length;
      await assert.rejects(attempt(), (error: unknown) => error instanceof InvalidArgumentError && resultOf(error) === result);
      assert.equal(server.requests.length, before);
    });
  }

  it("validates an AddPortMapping request without sending it", () => {
    assert.doesNotThrow(() => igd.validateAddPortMapping(addRequest));
    assert.throws(
      () => igd.validateAddPortMapping({ ...addRequest, leaseSeconds: 1.5 }),
      (error: unknown) => error instanceof InvalidArgumentError && resultOf(error) === UPNPResult.INVALID_DURATION,
    );
  });

  it("normalizes a protocol name", () => {
    assert.equal(igd.normalizeProtocol("tcp"), "TCP");
    assert.equal(igd.normalizeProtocol("Udp"), "UDP");
    assert.throws(() => igd.normalizeProtocol("icmp"), InvalidArgumentError);
  });
});

describe("IGD client: reading entries", () => {
  it("reads GetSpecificPortMappingEntry, with enabled as 'true' and the key from the request", () =>
    withServer(
      {
        GetSpecificPortMappingEntry: () => ({
            body: soapReply(
              "GetSpecificPortMappingEntry",
              "<NewInternalPort>5000</NewInternalPort><NewInternalClient>192.0.2.10</NewInternalClient>" +
                "<NewEnabled>true</NewEnabled><NewPortMappingDescription>game &amp; chat</NewPortMappingDescription>" +
                "<NewLeaseDuration>3599</NewLeaseDuration>",
            ),
          }),
      },
      async (service, server) => {
        assert.deepEqual(await igd.getSpecificPortMappingEntry(service, { externalPort: 6000, protocol: "UDP" }), {
          remoteHost: "",
          externalPort: 6000,
          protocol: "UDP",
          internalPort: 5000,
          internalClient: "192.0.2.10",
          enabled: true,
          description: "game & chat",
          leaseSeconds: 3599,
        });
        assert.equal(argumentIn(server.requests[0]!.body, "NewProtocol"), "UDP");
      },
    ));

  for (const [label, inner] of [
    ["a non-numeric internal port", "<NewInternalPort>eighty</NewInternalPort><NewEnabled>1</NewEnabled><NewLeaseDuration>0</NewLeaseDuration>"],
    ["an internal port over 65535", "<NewInternalPort>65536</NewInternalPort><NewEnabled>1</NewEnabled><NewLeaseDuration>0</NewLeaseDuration>"],
    ["a missing internal port", "<NewEnabled>1</NewEnabled><NewLeaseDuration>0</NewLeaseDuration>"],
    ["enabled as 'maybe'", "<NewInternalPort>80</NewInternalPort><NewEnabled>maybe</NewEnabled><NewLeaseDuration>0</NewLeaseDuration>"],
    ["a negative lease", "<NewInternalPort>80</NewInternalPort><NewEnabled>0</NewEnabled><NewLeaseDuration>-1</NewLeaseDuration>"],
  ] as const) {
    it(`refuses an entry with ${label} as InvalidResponseError`, () =>
      withServer({ GetSpecificPortMappingEntry: () => ({ body: soapReply("GetSpecificPortMappingEntry", inner) }) }, async (service) => {
        await assert.rejects(igd.getSpecificPortMappingEntry(service, { externalPort: 80, protocol: "TCP" }), InvalidResponseError);
      }));
  }

  it("reads GetGenericPortMappingEntry with a lower-case protocol and enabled 'false'", () =>
    withServer(
      {
        GetGenericPortMappingEntry: () => ({
          body: soapReply("GetGenericPortMappingEntry", entryXml({ remoteHost: "203.0.113.5", port: "7000", protocol: "udp", enabled: "false" })),
        }),
      },
      async (service, server) => {
        const entry = await igd.getGenericPortMappingEntry(service, 3);
        assert.equal(argumentIn(server.requests[0]!.body, "NewPortMappingIndex"), "3");
        assert.equal(entry.protocol, "UDP");
        assert.equal(entry.enabled, false);
        assert.equal(entry.remoteHost, "203.0.113.5");
        assert.equal(entry.externalPort, 7000);
      },
    ));

  it("refuses a generic entry whose protocol is neither TCP nor UDP", () =>
    withServer({ GetGenericPortMappingEntry: () => ({ body: soapReply("GetGenericPortMappingEntry", entryXml({ port: "1", protocol: "GRE" })) }) }, async (service) => {
      await assert.rejects(igd.getGenericPortMappingEntry(service, 0), InvalidResponseError);
    }));
});

describe("IGD client: GetListOfPortMappings", () => {
  function listingEntry(remoteHost: string, port: number, protocol: string, enabled: string, description: string, lease: number): string {
    return (
      `<p:PortMappingEntry><p:NewRemoteHost>${remoteHost}</p:NewRemoteHost><p:NewExternalPort>${port}</p:NewExternalPort>` +
      `<p:NewProtocol>${protocol}</p:NewProtocol><p:NewInternalPort>${port + 1}</p:NewInternalPort>` +
      `<p:NewInternalClient>192.0.2.20</p:NewInternalClient><p:NewEnabled>${enabled}</p:NewEnabled>` +
      `<p:NewDescription>${description}</p:NewDescription><p:NewLeaseTime>${lease}</p:NewLeaseTime></p:PortMappingEntry>\n`
    );
  }
  /** The document WANIPConnection:2 section 2.5.20 describes, as miniupnpd writes it. */
  function listingXml(entries: string[]): string {
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n<p:PortMappingList xmlns:p="urn:schemas-upnp-org:gw:WANIPConnection" ' +
      `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n${entries.join("")}</p:PortMappingList>`
    );
  }
  const listing = listingXml([
    listingEntry("", 2345, "TCP", "1", "Tom &amp; Jerry", 345),
    listingEntry("198.51.100.1", 3000, "TCP", "0", "", 0),
  ]);
  const expected: igd.PortMappingEntry[] = [
    {
      remoteHost: "",
      externalPort: 2345,
      protocol: "TCP",
      internalPort: 2346,
      internalClient: "192.0.2.20",
      enabled: true,
      description: "Tom & Jerry",
      leaseSeconds: 345,
    },
    {
      remoteHost: "198.51.100.1",
      externalPort: 3000,
      protocol: "TCP",
      internalPort: 3001,
      internalClient: "192.0.2.20",
      enabled: false,
      description: "",
      leaseSeconds: 0,
    },
  ];
  const request = { startPort: 0, endPort: 65535, protocol: "TCP", manage: true, numberOfPorts: 0 } as const;

  it("parses an escaped listing document", () =>
    withServer(
      { GetListOfPortMappings: () => ({ body: soapReply("GetListOfPortMappings", `<NewPortListing>${escapeXmlText(listing)}</NewPortListing>`) }) },
      async (service, server) => {
        assert.deepEqual(await igd.getListOfPortMappings(service, request), expected);
        assert.ok(
          server.requests[0]!.body.includes(
            "<NewStartPort>0</NewStartPort><NewEndPort>65535</NewEndPort><NewProtocol>TCP</NewProtocol>" +
              "<NewManage>1</NewManage><NewNumberOfPorts>0</NewNumberOfPorts>",
          ),
        );
      },
    ));

  it("parses a listing in CDATA, as miniupnpd sends it", () =>
    withServer(
      { GetListOfPortMappings: () => ({ body: soapReply("GetListOfPortMappings", `<NewPortListing><![CDATA[${listing}]]></NewPortListing>`) }) },
      async (service) => {
        assert.deepEqual(await igd.getListOfPortMappings(service, request), expected);
      },
    ));

  it("returns an empty list for 730 PortMappingNotFound and for an empty list document", async () => {
    await withServer({ GetListOfPortMappings: () => faultReply(730, "PortMappingNotFound") }, async (service) => {
      assert.deepEqual(await igd.getListOfPortMappings(service, request), []);
    });
    await withServer(
      { GetListOfPortMappings: () => ({ body: soapReply("GetListOfPortMappings", "<NewPortListing>&lt;p:PortMappingList/&gt;</NewPortListing>") }) },
      async (service) => {
        assert.deepEqual(await igd.getListOfPortMappings(service, request), []);
      },
    );
    // Some routers send no document at all for an empty table.
    for (const listing of ["", " \r\n "]) {
      await withServer({ GetListOfPortMappings: () => ({ body: soapReply("GetListOfPortMappings", `<NewPortListing>${listing}</NewPortListing>`) }) }, async (service) => {
        assert.deepEqual(await igd.getListOfPortMappings(service, request), [], JSON.stringify(listing));
      });
    }
  });

  it("refuses a listing that is not a PortMappingList", () =>
    withServer(
      { GetListOfPortMappings: () => ({ body: soapReply("GetListOfPortMappings", "<NewPortListing>&lt;html/&gt;</NewPortListing>") }) },
      async (service) => {
        await assert.rejects(igd.getListOfPortMappings(service, request), InvalidResponseError);
      },
    ));

  it("keeps other faults, e.g. 606 for manage without authorization", () =>
    withServer({ GetListOfPortMappings: () => faultReply(606, "Action not authorized") }, async (service) => {
      await assert.rejects(igd.getListOfPortMappings(service, request), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 606);
    }));

  it("lists TCP then UDP with listAllPortMappings", () =>
    withServer(
      {
        GetListOfPortMappings: (captured) => {
          const one = listingXml([listingEntry("", 3000, argumentIn(captured.body, "NewProtocol")!, "1", "x", 0)]);
          return { body: soapReply("GetListOfPortMappings", `<NewPortListing>${escapeXmlText(one)}</NewPortListing>`) };
        },
      },
      async (service, server) => {
        const entries = await walk.listAllPortMappings(service);
        assert.deepEqual(entries.map((entry) => `${entry.protocol}/${entry.externalPort}`), ["TCP/3000", "UDP/3000"]);
        assert.equal(server.requests.length, 2);
      },
    ));
});

describe("IGD client: walkPortMappings", () => {
  /** A table of `size` entries that ends with `endFault` past the last index. */
  function tableHandler(size: number, endFault: number): ActionHandler {
    return (request) => {
      const index = Number(argumentIn(request.body, "NewPortMappingIndex"));
      if (index >= size) return faultReply(endFault, "end");
      return { body: soapReply("GetGenericPortMappingEntry", entryXml({ port: String(10000 + index), protocol: index % 2 ? "UDP" : "TCP" })) };
    };
  }

  it("walks from index 0 and stops on 713 SpecifiedArrayIndexInvalid", () =>
    withServer({ GetGenericPortMappingEntry: tableHandler(3, 713) }, async (service, server) => {
      const entries = (await walk.walkPortMappings(service)).entries;
      assert.deepEqual(entries.map((entry) => `${entry.protocol}/${entry.externalPort}`), ["TCP/10000", "UDP/10001", "TCP/10002"]);
      assert.deepEqual(server.requests.map((request) => argumentIn(request.body, "NewPortMappingIndex")), ["0", "1", "2", "3"]);
    }));

  for (const code of [714, 402, 501, 730]) {
    it(`also stops on ${code}, which some routers send past the end`, () =>
      withServer({ GetGenericPortMappingEntry: tableHandler(2, code) }, async (service) => {
        assert.equal((await walk.walkPortMappings(service)).entries.length, 2);
      }));
  }

  it("returns an empty list for an empty table", () =>
    withServer({ GetGenericPortMappingEntry: tableHandler(0, 713) }, async (service) => {
      assert.deepEqual(await walk.walkPortMappings(service), { entries: [], truncated: false });
    }));

  it("stops at maxEntries when the router never reports the end", () =>
    withServer({ GetGenericPortMappingEntry: tableHandler(Infinity, 713) }, async (service, server) => {
      const walked = await walk.walkPortMappings(service, { maxEntries: 5 });
      assert.equal(walked.entries.length, 5);
      assert.equal(walked.truncated, true);
      assert.equal(server.requests.length, 5);
    }));

  it("a table of exactly maxEntries is reported as maybe longer; one more entry allowed reads its end", () =>
    withServer({ GetGenericPortMappingEntry: tableHandler(5, 713) }, async (service, server) => {
      assert.deepEqual((await walk.walkPortMappings(service, { maxEntries: 5 })).truncated, true);
      assert.equal(server.requests.length, 5);
      const whole = await walk.walkPortMappings(service, { maxEntries: 6 });
      assert.equal(whole.entries.length, 5);
      assert.equal(whole.truncated, false);
      assert.equal(server.requests.length, 11);
    }));

  it("throws other faults, e.g. 606 Action not authorized", () =>
    withServer({ GetGenericPortMappingEntry: tableHandler(0, 606) }, async (service) => {
      await assert.rejects(walk.walkPortMappings(service), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 606);
    }));

  it("refuses a maxEntries outside 1..65536 before any request", () =>
    withServer({ GetGenericPortMappingEntry: tableHandler(1, 713) }, async (service, server) => {
      for (const maxEntries of [0, 65537, 1.5]) await assert.rejects(walk.walkPortMappings(service, { maxEntries }), InvalidArgumentError);
      assert.equal(server.requests.length, 0);
      assert.equal((await walk.walkPortMappings(service, { maxEntries: 65536 })).entries.length, 1);
      assert.equal((await walk.walkPortMappings(service, { maxEntries: 1 })).entries.length, 1);
    }));

  it("rejects with the caller's reason when aborted mid-walk", () => {
    const controller = new AbortController();
    const reason = new Error("enough");
    return withServer(
      {
        GetGenericPortMappingEntry: (request) => {
          if (argumentIn(request.body, "NewPortMappingIndex") === "2") controller.abort(reason);
          return tableHandler(Infinity, 713)(request);
        },
      },
      async (service, server) => {
        await assert.rejects(walk.walkPortMappings(service, { signal: controller.signal }), (error) => error === reason);
        assert.equal(server.requests.length, 3);
      },
    );
  });
});

describe("IGD client: status", () => {
  it("reads the external address, status and connection type", () =>
    withServer(
      {
        GetExternalIPAddress: () => ({ body: soapReply("GetExternalIPAddress", "<NewExternalIPAddress> 198.51.100.7 </NewExternalIPAddress>") }),
        GetStatusInfo: () => ({
          body: soapReply(
            "GetStatusInfo",
            "<NewConnectionStatus>Connected</NewConnectionStatus><NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>86400</NewUptime>",
          ),
        }),
        GetConnectionTypeInfo: () => ({
          body: soapReply(
            "GetConnectionTypeInfo",
            "<NewConnectionType>IP_Routed</NewConnectionType><NewPossibleConnectionTypes>IP_Routed, IP_Bridged</NewPossibleConnectionTypes>",
          ),
        }),
      },
      async (service) => {
        assert.equal(await igd.getExternalIPAddress(service), "198.51.100.7");
        assert.deepEqual(await igd.getStatusInfo(service), {
          connectionStatus: "Connected",
          lastConnectionError: "ERROR_NONE",
          uptimeSeconds: 86400,
        });
        assert.deepEqual(await igd.getConnectionTypeInfo(service), {
          connectionType: "IP_Routed",
          possibleConnectionTypes: ["IP_Routed", "IP_Bridged"],
        });
      },
    ));

  it("gives no uptime and an empty error when the router leaves them out, and tolerates an uptime it cannot read", async () => {
    await withServer(
      { GetStatusInfo: () => ({ body: soapReply("GetStatusInfo", "<NewConnectionStatus>Disconnected</NewConnectionStatus>") }) },
      async (service) => {
        assert.deepEqual(await igd.getStatusInfo(service), { connectionStatus: "Disconnected", lastConnectionError: "", uptimeSeconds: undefined });
      },
    );
    for (const [uptime, seconds] of [["1 day", undefined], ["0 Days, 01:00:00", 3600], ["2 days, 3:04:05", 183845], ["1d 2h 3m 4s", 93784], ["4294967296", undefined]] as const) {
      await withServer(
        { GetStatusInfo: () => ({ body: soapReply("GetStatusInfo", `<NewConnectionStatus>Connected</NewConnectionStatus><NewUptime>${uptime}</NewUptime>`) }) },
        async (service) => {
          assert.deepEqual(await igd.getStatusInfo(service), { connectionStatus: "Connected", lastConnectionError: "", uptimeSeconds: seconds }, uptime);
        },
      );
    }
  });

  it("returns an empty external address as the router sent it", () =>
    withServer({ GetExternalIPAddress: () => ({ body: soapReply("GetExternalIPAddress", "<NewExternalIPAddress></NewExternalIPAddress>") }) }, async (service) => {
      assert.equal(await igd.getExternalIPAddress(service), "");
    }));
});
