// Proves the rig with the reference client (upnpc) alone: discovery from the LAN host, mappings
// that really forward traffic from the ISP host, and the options that shape miniupnpd.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  connectTcpFromIsp,
  defaultExternalAddress,
  listenTcpOnLan,
  listenUdpOnLan,
  rigFromEnvironment,
  sendUdpFromIsp,
  startMiniupnpd,
  upnpc,
  type RunningMiniupnpd,
} from "./rig.js";
import { httpRequest } from "../../src/http/http-request.js";

const rig = rigFromEnvironment();
const port = 7777;
/** Long enough for a forwarded packet inside the namespaces, short enough to keep the suite fast. */
const arrivalTimeoutMs = 2_000;
/** How long a test waits to be sure that nothing arrives any more. */
const silenceMs = 500;

async function fetchDescription(daemon: RunningMiniupnpd): Promise<string> {
  const response = await httpRequest({ method: "GET", url: daemon.descriptionUrl, signal: AbortSignal.timeout(2_000) });
  return response.body.toString("utf8");
}

/** The lines of `upnpc -l` that describe mappings, e.g. ` 0 UDP  7777->192.0.2.2:7777 ...`. */
async function listedMappings(daemon: RunningMiniupnpd): Promise<string[]> {
  const output = await upnpc(rig, ["-u", daemon.descriptionUrl, "-l"]);
  return output.split("\n").filter((line) => /^\s*\d+\s+(UDP|TCP)\s/.test(line));
}

test("upnpc discovers the gateway by SSDP from the LAN host, over IPv4 and IPv6", async (t) => {
  const daemon = await startMiniupnpd(rig);
  t.after(() => daemon.stop());

  const overIpv4 = await upnpc(rig, ["-m", rig.lan.ifname, "-l"]);
  assert.match(overIpv4, /desc: http:\/\/192\.0\.2\.1:5000\/rootDesc\.xml/);
  assert.ok(overIpv4.includes(`ExternalIPAddress = ${defaultExternalAddress}\n`), overIpv4);

  const overIpv6 = await upnpc(rig, ["-6", "-m", rig.lan.ifname, "-l"]);
  assert.match(overIpv6, /desc: http:\/\/\[2001:db8:1::1\]:5000\/rootDesc\.xml/);
});

for (const protocol of ["UDP", "TCP"] as const) {
  test(`a ${protocol} mapping added with upnpc forwards traffic from the ISP host until it is deleted`, async (t) => {
    const daemon = await startMiniupnpd(rig);
    t.after(() => daemon.stop());
    const listener = protocol === "UDP" ? await listenUdpOnLan(rig, port) : await listenTcpOnLan(rig, port);
    t.after(() => listener.close());
    const sendFromIsp = async (payload: string): Promise<void> => {
      if (protocol === "UDP") {
        assert.equal((await sendUdpFromIsp(rig, port, payload)).sent, true);
      } else {
        await connectTcpFromIsp(rig, port, payload);
      }
    };

    const added = await upnpc(rig, ["-u", daemon.descriptionUrl, "-a", rig.lan.ipv4, String(port), String(port), protocol]);
    assert.match(added, new RegExp(`${protocol} is redirected to internal 192\\.0\\.2\\.2:${port}`));
    assert.equal((await listedMappings(daemon)).filter((line) => line.includes(`${protocol}  ${port}->192.0.2.2:${port}`)).length, 1);

    await sendFromIsp("through the mapping");
    assert.equal((await listener.nextArrival(arrivalTimeoutMs))?.toString(), "through the mapping");

    await upnpc(rig, ["-u", daemon.descriptionUrl, "-d", String(port), protocol]);
    assert.deepEqual(await listedMappings(daemon), []);
    if (protocol === "TCP") {
      // Without a mapping the SYN reaches the gateway itself, which has nothing on that port.
      assert.deepEqual(await connectTcpFromIsp(rig, port, "after the delete"), { connected: false, error: "ECONNREFUSED" });
    } else {
      await sendFromIsp("after the delete");
    }
    assert.equal(await listener.nextArrival(silenceMs), undefined);
  });
}

test("mappings do not survive into the next miniupnpd start", async (t) => {
  const first = await startMiniupnpd(rig);
  await upnpc(rig, ["-u", first.descriptionUrl, "-a", rig.lan.ipv4, String(port), String(port), "UDP"]);
  assert.equal((await listedMappings(first)).length, 1);
  await first.stop();

  const second = await startMiniupnpd(rig);
  t.after(() => second.stop());
  assert.deepEqual(await listedMappings(second), []);
});

test("igdVersion 1 makes miniupnpd describe an IGDv1 with WANIPConnection:1", async (t) => {
  const v2 = await startMiniupnpd(rig);
  const v2Description = await fetchDescription(v2);
  await v2.stop();
  assert.match(v2Description, /urn:schemas-upnp-org:service:WANIPConnection:2/);

  const v1 = await startMiniupnpd(rig, { igdVersion: 1 });
  t.after(() => v1.stop());
  const v1Description = await fetchDescription(v1);
  assert.match(v1Description, /urn:schemas-upnp-org:device:InternetGatewayDevice:1/);
  assert.match(v1Description, /urn:schemas-upnp-org:service:WANIPConnection:1/);
  assert.doesNotMatch(v1Description, /WANIPConnection:2/);
});

test("extIp null: miniupnpd sees its reserved WAN address and refuses to map (double NAT)", async (t) => {
  const daemon = await startMiniupnpd(rig, { extIp: null });
  t.after(() => daemon.stop());
  const added = await upnpc(rig, ["-u", daemon.descriptionUrl, "-a", rig.lan.ipv4, String(port), String(port), "UDP"]);
  assert.match(added, /failed with code 501/);
  assert.deepEqual(await listedMappings(daemon), []);
});

test("secureMode: miniupnpd refuses a mapping to another host of the LAN", async (t) => {
  const daemon = await startMiniupnpd(rig, { secureMode: true });
  t.after(() => daemon.stop());
  const forOtherHost = await upnpc(rig, ["-u", daemon.descriptionUrl, "-a", "192.0.2.9", String(port), String(port), "UDP"]);
  assert.match(forOtherHost, /failed with code 718/);
  const forItself = await upnpc(rig, ["-u", daemon.descriptionUrl, "-a", rig.lan.ipv4, String(port), String(port), "UDP"]);
  assert.match(forItself, /is redirected to internal 192\.0\.2\.2/);
});
