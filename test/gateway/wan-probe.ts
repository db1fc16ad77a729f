import { runInNamespace } from "./namespace-commands.js";
import type { RigTopology } from "./rig-topology.js";

/** What the ISP host saw when it sent a datagram. */
export interface UdpProbeResult {
  /** The datagram left the ISP host (UDP says nothing about arrival: check the listener). */
  readonly sent: boolean;
  readonly error?: string;
}

/** What the ISP host saw when it opened a TCP connection. */
export interface TcpProbeResult {
  /** The handshake completed, so a mapping (or something on the gateway) accepted it. */
  readonly connected: boolean;
  /** e.g. `ECONNREFUSED` when no mapping forwards the port. */
  readonly error?: string;
}

export interface ProbeOptions {
  /** How long the ISP host waits for the connection, or for the send to finish. @default 3000 */
  timeoutMs?: number;
  /**
   * Where the traffic goes: the gateway's WAN address for a NAT mapping, or the LAN host's IPv6
   * address for an IPv6 pinhole (no translation). @default the gateway's WAN IPv4 address
   */
  host?: string;
}

const defaultProbeTimeoutMs = 3_000;

// The scripts run in a fresh `node` in the ISP namespace; arguments: host, port, payload (base64),
// timeout. They print one JSON line. Both keep the ephemeral source port the kernel picks: a
// reused source port could match a conntrack entry of a mapping that was deleted since.
const udpScript = `
const [host, port, payload] = process.argv.slice(1);
const socket = require("node:dgram").createSocket(host.includes(":") ? "udp6" : "udp4");
socket.send(Buffer.from(payload, "base64"), Number(port), host, (error) => {
  console.log(JSON.stringify(error ? { sent: false, error: error.code } : { sent: true }));
  socket.close();
});`;

const tcpScript = `
const [host, port, payload, timeoutMs] = process.argv.slice(1);
let connected = false;
const socket = require("node:net").connect({ host, port: Number(port) });
const report = (error) => {
  console.log(JSON.stringify(error ? { connected, error } : { connected }));
  socket.destroy();
  process.exit(0);
};
socket.setTimeout(Number(timeoutMs), () => report("ETIMEDOUT"));
socket.on("connect", () => { connected = true; socket.end(Buffer.from(payload, "base64")); });
socket.on("error", (error) => report(error.code));
socket.on("close", () => report());`;

/**
 * Sends one UDP datagram from the ISP host to the gateway's WAN address (198.51.100.1), the way
 * a peer on the Internet would reach a mapped port.
 */
export async function sendUdpFromIsp(rig: RigTopology, port: number, payload: string | Buffer, options: ProbeOptions = {}): Promise<UdpProbeResult> {
  return runProbe<UdpProbeResult>(rig, udpScript, port, payload, options);
}

/**
 * Opens a TCP connection from the ISP host to the gateway's WAN address, sends `payload` and
 * closes its side; resolves once the connection is closed, refused or timed out.
 */
export async function connectTcpFromIsp(rig: RigTopology, port: number, payload: string | Buffer, options: ProbeOptions = {}): Promise<TcpProbeResult> {
  return runProbe<TcpProbeResult>(rig, tcpScript, port, payload, options);
}

async function runProbe<T>(rig: RigTopology, script: string, port: number, payload: string | Buffer, options: ProbeOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? defaultProbeTimeoutMs;
  const encoded = Buffer.from(payload).toString("base64");
  const args = ["-e", script, options.host ?? rig.gateway.wanIpv4, String(port), encoded, String(timeoutMs)];
  // Node's own start-up takes part of the budget, so the process gets a margin over the script.
  const result = await runInNamespace(rig.isp.namespace, process.execPath, args, { timeoutMs: timeoutMs + 5_000 });
  const line = result.stdout.trim().split("\n").pop() ?? "";
  if (result.code !== 0 || line === "") throw new Error(`probe from the ISP host failed (code ${result.code}): ${result.stderr.trim()}`);
  return JSON.parse(line) as T;
}
