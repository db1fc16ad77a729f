import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { InvalidArgumentError, SocketError } from "../../src/errors/errors.js";
import { ipv6Gateway } from "./support/ipv6-gateway.js";
import { requireOrSkip } from "./support/require-or-skip.js";
import { startVirtualGateway } from "../../src/virtual-gateway/index.js";

interface RunResult {
  readonly error: (Error & { code?: unknown; killed?: boolean }) | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program; the timeout only guards against a hang, it is not what is tested. */
function run(file: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 20_000, encoding: "utf8" }, (error, stdout, stderr) => resolve({ error, stdout, stderr }));
  });
}

const gatewayModule = new URL("../../src/virtual-gateway/index.js", import.meta.url).href;
const clientModule = new URL("./virtual-gateway-test-client.js", import.meta.url).href;

test("after close() nothing keeps the process alive, even with a reply still waiting", async () => {
  const script = `
    const { startVirtualGateway } = await import(${JSON.stringify(gatewayModule)});
    const { rawHttp, soapCall, mappingArgs, ssdpExchange, mSearch } = await import(${JSON.stringify(clientModule)});
    const gateway = await startVirtualGateway({ quirks: { replyFromEphemeralPort: true } });
    await rawHttp(gateway.descriptionUrl);
    await soapCall(gateway, "AddPortMapping", mappingArgs({ externalPort: 5555, lease: 60 }));
    const replies = await ssdpExchange(gateway.ssdpAddress, [mSearch("upnp:rootdevice")], 1);
    const slow = await startVirtualGateway({ quirks: { responseDelayMs: 600000 } });
    const pending = rawHttp(slow.descriptionUrl).then((reply) => reply.raw.length, () => 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([gateway.close(), slow.close()]);
    await gateway.close();
    console.log(JSON.stringify({ replies: replies.length, pendingBytes: await pending }));
  `;
  const result = await run(process.execPath, ["--input-type=module", "-e", script]);
  assert.equal(result.error, null, `child did not exit cleanly: ${result.stderr}`);
  assert.deepEqual(JSON.parse(result.stdout), { replies: 1, pendingBytes: 0 });
});

test("a port already taken rejects with SocketError and leaves nothing open", async () => {
  const first = await startVirtualGateway();
  try {
    const servers = (): number => process.getActiveResourcesInfo().filter((name) => name === "TCPServerWrap").length;
    const before = servers();
    await assert.rejects(startVirtualGateway({ httpPort: first.httpPort }), SocketError);
    await assert.rejects(startVirtualGateway({ ssdpPort: first.ssdpAddress.port }), SocketError);
    // libuv releases closed handles in the close phase, after this turn's setImmediate callbacks.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(servers(), before);
  } finally {
    await first.close();
  }
});

test("an aborted signal stops the start with its reason", async () => {
  const reason = new Error("stop");
  await assert.rejects(startVirtualGateway({ signal: AbortSignal.abort(reason) }), (error) => error === reason);
});

test("bad options are refused before anything opens", async () => {
  await assert.rejects(startVirtualGateway({ address: "localhost" }), (error: unknown) => error instanceof InvalidArgumentError && /address must be an IP address/.test(error.message));
  await assert.rejects(startVirtualGateway({ httpPort: 70000 }), (error: unknown) => error instanceof InvalidArgumentError && /httpPort/.test(error.message));
});

for (const igdVersion of [2, 1] as const) {
  test(`upnpc (miniupnpc) adds, lists and deletes a mapping on an IGD:${igdVersion}`, async (t) => {
    const probe = await run("upnpc", ["-h"]);
    if (!requireOrSkip(t, probe.error?.code !== "ENOENT", "upnpc (Debian package miniupnpc)")) return;
    const gateway = await startVirtualGateway({ igdVersion });
    try {
      const upnpc = (...args: string[]): Promise<RunResult> => run("upnpc", ["-u", gateway.descriptionUrl, ...args]);

      const added = await upnpc("-a", "127.0.0.1", "7777", "7777", "TCP");
      assert.match(added.stdout, /external 203\.0\.113\.7:7777 TCP is redirected to internal 127\.0\.0\.1:7777/);
      assert.deepEqual(gateway.mappings.map((mapping) => [mapping.externalPort, mapping.protocol]), [[7777, "TCP"]]);

      const listed = await upnpc("-l");
      assert.match(listed.stdout, /ExternalIPAddress = 203\.0\.113\.7/);
      assert.match(listed.stdout, /TCP\s+7777->127\.0\.0\.1:7777/);

      const deleted = await upnpc("-d", "7777", "TCP");
      assert.match(deleted.stdout, /UPNP_DeletePortMapping\(\) returned : 0/);
      assert.equal(gateway.mappings.length, 0);
    } finally {
      await gateway.close();
    }
  });
}

test("upnpc -6 (miniupnpc) drives every pinhole action on the virtual gateway at ::1, and reads its answers as miniupnpd's", async (t) => {
  const probe = await run("upnpc", ["-h"]);
  if (!requireOrSkip(t, probe.error?.code !== "ENOENT", "upnpc (Debian package miniupnpc)")) return;
  const gateway = await ipv6Gateway(t);
  if (!gateway) return;
  const upnpc = async (...args: string[]): Promise<string> => (await run("upnpc", ["-6", "-u", gateway.descriptionUrl, ...args])).stdout;

  assert.match(await upnpc("-S"), /Firewall Enabled: Yes\s+Inbound Pinhole Allowed: Yes/);
  assert.match(await upnpc("-A", "", "0", "::1", "7704", "UDP", "300"), /AddPinhole: \(\[\]:0 -> \[::1\]:7704\) \/ Pinhole ID = 1/);
  assert.deepEqual(gateway.pinholes.map((pinhole) => [pinhole.uniqueId, pinhole.internalClient, pinhole.internalPort, pinhole.protocol, pinhole.leaseSeconds]), [[1, "::1", 7704, "UDP", 300]]);
  assert.match(await upnpc("-U", "1", "600"), /UpdatePinhole: Pinhole ID = 1 with Lease Time: 600/);
  assert.equal(gateway.pinholes[0]!.leaseSeconds, 600);
  assert.match(await upnpc("-K", "1"), /Pinhole ID = 1 \/ PinholePackets = 0/);
  assert.match(await upnpc("-C", "1"), /CheckPinholeWorking\(\) failed with code 709/);
  assert.match(await upnpc("-G", "", "0", "::1", "7704", "UDP"), /GetOutboundPinholeTimeout\(.*\) failed with code 501/);
  assert.match(await upnpc("-D", "1"), /UPNP_DeletePinhole\(\) returned : 0/);
  assert.deepEqual(gateway.pinholes, []);
  assert.match(await upnpc("-D", "1"), /UPNP_DeletePinhole\(\) returned : 402/);
});
