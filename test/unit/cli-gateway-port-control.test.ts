// `porthole gateway` with NAT-PMP and PCP: the protocol switches, the NAT-PMP/PCP port in its
// JSON, and one log line per datagram, run as a child process on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NatPmpPortMapper, PcpPortMapper } from "../../src/index.js";
import { finished, firstJsonDocument, porthole, startPorthole } from "./cli-runner.js";

test("gateway --no-upnp --json: no UPnP fields, the NAT-PMP/PCP port; a NAT-PMP and a PCP mapping are logged with what was granted", async () => {
  const child = startPorthole(["gateway", "--json", "--no-upnp", "--external-address", "11.22.33.44"]);
  const done = finished(child);
  try {
    const info = await firstJsonDocument(child);
    assert.deepEqual([info.descriptionUrl, info.ssdp, info.httpPort], [null, null, null]);
    assert.deepEqual(info.protocols, { upnp: false, natPmp: true, pcp: true });
    assert.equal(info.portControl.address, "127.0.0.1");
    const options = { gatewayPort: info.portControl.port as number };
    assert.equal((await new NatPmpPortMapper("127.0.0.1", options).map({ protocol: "UDP", internalPort: 7000 })).externalPort, 7000);
    assert.equal((await new PcpPortMapper("127.0.0.1", options).map({ protocol: "TCP", internalPort: 7001, leaseSeconds: 60 })).leaseSeconds, 120);
  } finally {
    child.kill("SIGINT");
  }
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /NAT-PMP map UDP 7000 \(suggested 7000, 3600 s\) from 127\.0\.0\.1:\d+ → ok: external port 7000, 3600 s/);
  assert.match(result.stderr, /NAT-PMP external-address from 127\.0\.0\.1:\d+ → ok/);
  assert.match(result.stderr, /PCP map TCP 7001 \(suggested 7001, 60 s\) from 127\.0\.0\.1:\d+ → ok: external port 7001, 120 s/);
});

test("gateway refuses every protocol off and a bad NAT-PMP/PCP port with exit 2", async () => {
  for (const args of [["--no-upnp", "--no-natpmp", "--no-pcp"], ["--port-control-port", "65536"], ["--port-control-port", "x"]]) {
    const result = await porthole(["gateway", ...args]);
    assert.equal(result.code, 2, args.join(" "));
  }
});
