// The reference client against the virtual gateway run by `porthole gateway` inside the rig's
// gateway namespace (no miniupnpd there): upnpc finds it by multicast SSDP from the LAN side,
// then adds, lists and deletes a mapping on it; porthole's own multicast discovery finds it too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { rigFromEnvironment, runInLan, upnpc } from "./rig.js";
import { stopProcess, stopProcessesInNamespace } from "./processes.js";
import { parseUpnpcListing } from "./upnpc-commands.js";

const rig = rigFromEnvironment();
/** The bundle the package ships as `porthole`. */
const cliPath = fileURLToPath(new URL("../../bin/porthole.js", import.meta.url));
/** Not reserved, so upnpc calls the gateway connected; only reported, never contacted. */
const externalAddress = "11.22.33.44";

interface RunningCliGateway {
  readonly descriptionUrl: string;
  readonly child: ChildProcess;
  stderr(): string;
}

/** `porthole gateway` in the gateway namespace, answering multicast SSDP on the LAN interface. */
async function startCliGateway(): Promise<RunningCliGateway> {
  await stopProcessesInNamespace(rig.gateway.namespace);
  const child = spawn(
    "ip",
    ["netns", "exec", rig.gateway.namespace, process.execPath, cliPath, "gateway", "--json",
      "--address", rig.gateway.lanIpv4, "--multicast-interface", rig.gateway.lanIpv4, "--http-port", "5000", "--external-address", externalAddress],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const info = await new Promise<{ descriptionUrl: string }>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        resolve(JSON.parse(stdout) as { descriptionUrl: string });
      } catch {
        // Not the whole document yet.
      }
    });
    child.once("close", (code) => reject(new Error(`porthole gateway exited (${code}): ${stderr}`)));
  });
  return { descriptionUrl: info.descriptionUrl, child, stderr: () => stderr };
}

async function stopCliGateway(gateway: RunningCliGateway): Promise<number | null> {
  const closed = new Promise<number | null>((resolve) => gateway.child.once("close", (code) => resolve(code)));
  if (gateway.child.pid !== undefined) await stopProcess(gateway.child.pid);
  return closed;
}

test("upnpc discovers the virtual gateway by multicast, then adds, lists and deletes a mapping", async (t) => {
  const gateway = await startCliGateway();
  let stopped = false;
  t.after(async () => {
    if (!stopped) await stopCliGateway(gateway);
  });
  assert.equal(gateway.descriptionUrl, `http://${rig.gateway.lanIpv4}:5000/rootDesc.xml`);

  // No -u: upnpc searches by multicast from the LAN host and must find the virtual gateway.
  const added = await upnpc(rig, ["-a", rig.lan.ipv4, "7000", "7000", "UDP", "3600"]);
  assert.match(added, new RegExp(`desc: ${gateway.descriptionUrl}`));
  assert.match(added, /Found valid IGD/);
  assert.match(added, new RegExp(`external ${externalAddress}:7000 UDP is redirected to internal ${rig.lan.ipv4}:7000`));

  const listing = await upnpc(rig, ["-l"]);
  assert.match(listing, new RegExp(`ExternalIPAddress = ${externalAddress}`));
  assert.deepEqual(
    parseUpnpcListing(listing).map((m) => [m.protocol, m.externalPort, m.internalClient, m.internalPort]),
    [["UDP", 7000, rig.lan.ipv4, 7000]],
  );

  // porthole's own multicast discovery, inside the rig, sees the same gateway and mapping.
  const discovered = await runInLan(process.execPath, [cliPath, "discover", "--json", "--interface", rig.lan.ifname, "--timeout", "1000"]);
  assert.equal(discovered.code, 0, discovered.stderr);
  assert.equal(JSON.parse(discovered.stdout).gateways[0].location, gateway.descriptionUrl);
  const listed = await runInLan(process.execPath, [cliPath, "list", "--json", "--interface", rig.lan.ifname, "--timeout", "1000"]);
  assert.deepEqual(JSON.parse(listed.stdout).mappings.map((m: { externalPort: number }) => m.externalPort), [7000]);

  const deleted = await upnpc(rig, ["-d", "7000", "UDP"]);
  assert.match(deleted, /UPNP_DeletePortMapping\(\) returned : 0/);
  assert.deepEqual(parseUpnpcListing(await upnpc(rig, ["-l"])), []);

  stopped = true;
  assert.equal(await stopCliGateway(gateway), 0);
  assert.match(gateway.stderr(), new RegExp(`M-SEARCH from ${rig.lan.ipv4}:\\d+ for \\S+ → [1-9]`));
  assert.match(gateway.stderr(), /AddPortMapping from 192\.0\.2\.2 .* → ok/);
  assert.match(gateway.stderr(), /virtual gateway stopped/);
});
