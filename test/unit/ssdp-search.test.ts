import assert from "node:assert/strict";
import dgram from "node:dgram";
import { after, describe, test } from "node:test";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { InvalidArgumentError, SocketError } from "../../src/errors/errors.js";
import { searchSsdp, type SsdpSearchOptions, type SsdpTraceEvent } from "../../src/upnp/ssdp/ssdp-search.js";
import { collectSsdp } from "./support/collect-ssdp.js";
import { hasIpv6Loopback } from "./support/ipv6-gateway.js";
import { requireOrSkip } from "./support/require-or-skip.js";
import { later } from "./support/scripted-router.js";
import { planSearch } from "../../src/upnp/ssdp/search-plan.js";
import { bindSsdpSocket, closeSsdpSocket, resolveMulticastInterface } from "../../src/upnp/ssdp/ssdp-socket.js";
import { systemHostNetwork } from "../../src/net/host-network.js";

const igd1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
const igd2 = "urn:schemas-upnp-org:device:InternetGatewayDevice:2";

interface SearchSeen {
  text: string;
  searchTarget: string;
  address: string;
  port: number;
}

interface Responder {
  address: string;
  /** The port M-SEARCHes go to. */
  port: number;
  /** The port replies come from: another socket, as routers do (tailscale#6833). */
  replyPort: number;
  searches: SearchSeen[];
  /** Resolves at the n-th M-SEARCH received (1-based). */
  searchNumber(n: number): Promise<SearchSeen>;
  close(): Promise<void>;
}

type Answer = (search: SearchSeen, index: number) => string[];

function bind(family: 4 | 6, port = 0): Promise<dgram.Socket> {
  const socket = dgram.createSocket(family === 6 ? "udp6" : "udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, family === 6 ? "::1" : "127.0.0.1", () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

function close(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

function replyText(location: string, usn: string, st = igd1): string {
  return `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: ${st}\r\nUSN: ${usn}\r\nEXT:\r\nSERVER: test/1 UPnP/1.1 responder/1\r\nLOCATION: ${location}\r\n\r\n`;
}

const open: Responder[] = [];

/** A tiny SSDP device on loopback that answers unicast M-SEARCHes with whatever `answer` returns. */
async function startResponder(answer: Answer, family: 4 | 6 = 4): Promise<Responder> {
  const listener = await bind(family);
  const sender = await bind(family);
  const searches: SearchSeen[] = [];
  const waiters: Array<{ n: number; resolve: (seen: SearchSeen) => void }> = [];
  listener.on("message", (datagram, from) => {
    const text = datagram.toString("utf8");
    const seen = { text, searchTarget: /\r\nST: (.*)\r\n/.exec(text)?.[1] ?? "", address: from.address, port: from.port };
    searches.push(seen);
    for (const waiter of waiters.filter((w) => w.n === searches.length)) waiter.resolve(seen);
    for (const reply of answer(seen, searches.length - 1)) sender.send(reply, from.port, from.address);
  });
  const responder: Responder = {
    address: family === 6 ? "::1" : "127.0.0.1",
    port: listener.address().port,
    replyPort: sender.address().port,
    searches,
    searchNumber: (n) =>
      searches.length >= n ? Promise.resolve(searches[n - 1]!) : new Promise((resolve) => waiters.push({ n, resolve })),
    close: async () => {
      open.splice(open.indexOf(responder), 1);
      await Promise.all([close(listener), close(sender)]);
    },
  };
  open.push(responder);
  return responder;
}

after(async () => {
  await Promise.all([...open].map((responder) => responder.close()));
});

function options(responder: Responder, extra: SsdpSearchOptions = {}): SsdpSearchOptions {
  return {
    multicast: false,
    unicastTargets: [{ address: responder.address, port: responder.port }],
    searchTargets: [igd1],
    listenMs: 1500,
    ...extra,
  };
}

/** How many of these dgram send calls were M-SEARCHes (the responder's replies are sends too). */
function searchesSent(calls: ReadonlyArray<{ arguments: unknown[] }>): number {
  return calls.filter((call) => String(call.arguments[0]).startsWith("M-SEARCH")).length;
}

/** Lets closed handles finish closing: close callbacks run after the poll and check phases. */
function settle(): Promise<void> {
  return sleep(0);
}

/** True when `port` on loopback can be bound again, i.e. the search released its socket. */
async function portIsFree(port: number, family: 4 | 6 = 4): Promise<boolean> {
  await settle();
  try {
    await close(await bind(family, port));
    return true;
  } catch {
    return false;
  }
}

describe("searchSsdp over unicast on loopback", () => {
  test("yields a reply sent from another port than the one searched", async () => {
    const responder = await startResponder((search) => [replyText("http://127.0.0.1:5000/rootDesc.xml", `uuid:a::${search.searchTarget}`)]);
    const replies = await collectSsdp(options(responder, { listenMs: 400 }));
    assert.equal(replies.length, 1);
    const [reply] = replies;
    assert.equal(reply!.location, "http://127.0.0.1:5000/rootDesc.xml");
    assert.equal(reply!.st, igd1);
    assert.equal(reply!.usn, `uuid:a::${igd1}`);
    assert.equal(reply!.server, "test/1 UPnP/1.1 responder/1");
    assert.equal(reply!.address, "127.0.0.1");
    assert.equal(reply!.family, 4);
    assert.equal(reply!.port, responder.replyPort);
    assert.notEqual(reply!.port, responder.port);
    const [search] = responder.searches;
    assert.ok(search);
    assert.match(search.text, new RegExp(`^M-SEARCH \\* HTTP/1\\.1\\r\\nHOST: 127\\.0\\.0\\.1:${responder.port}\\r\\n`));
    assert.match(search.text, /\r\nMAN: "ssdp:discover"\r\nMX: 1\r\n/);
    await responder.close();
  });

  test("de-duplicates on LOCATION and USN", async () => {
    const responder = await startResponder(() => [
      replyText("http://127.0.0.1:5000/a.xml", "uuid:a"),
      replyText("http://127.0.0.1:5000/a.xml", "uuid:a"),
      replyText("http://127.0.0.1:5000/a.xml", "uuid:b"),
      replyText("http://127.0.0.1:5000/b.xml", "uuid:a"),
    ]);
    const events: SsdpTraceEvent[] = [];
    const replies = await collectSsdp(
      options(responder, { searchTargets: [igd1, "urn:schemas-upnp-org:service:WANIPConnection:1"], listenMs: 400, onTrace: (e) => events.push(e) }),
    );
    assert.deepEqual(
      replies.map((r) => `${r.location} ${r.usn}`).sort(),
      ["http://127.0.0.1:5000/a.xml uuid:a", "http://127.0.0.1:5000/a.xml uuid:b", "http://127.0.0.1:5000/b.xml uuid:a"],
    );
    assert.ok(events.filter((e) => e.type === "duplicate").length >= 5);
    await responder.close();
  });

  test("resends the M-SEARCH when the first one is lost", async () => {
    const responder = await startResponder((_search, index) => (index === 0 ? [] : [replyText("http://127.0.0.1:1/d.xml", "uuid:late")]));
    let found: string | undefined;
    for await (const reply of searchSsdp(options(responder, { listenMs: 3000 }))) {
      found = reply.usn;
      break;
    }
    assert.equal(found, "uuid:late");
    assert.ok(responder.searches.length >= 2);
    assert.equal(responder.searches[1]!.text, responder.searches[0]!.text);
    await responder.close();
  });

  test("does not resend a target once it is answered, even by a newer device version (fake clock)", async (t) => {
    // Answers IGD:1 with ST IGD:2 (rust-igd#12); the WANPPP search is never answered.
    const wanppp = "urn:schemas-upnp-org:service:WANPPPConnection:1";
    const responder = await startResponder((search) =>
      search.searchTarget === igd1 ? [replyText("http://127.0.0.1:1/d.xml", "uuid:v2", igd2)] : [],
    );
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const send = t.mock.method(dgram.Socket.prototype, "send");
    const stop = new AbortController();
    t.after(() => stop.abort());
    const search = searchSsdp(options(responder, { searchTargets: [igd1, wanppp], retransmits: 3, listenMs: 10_000, signal: stop.signal }));
    assert.equal((await search.next()).value?.usn, "uuid:v2");
    t.mock.timers.tick(250);
    t.mock.timers.tick(500);
    const sentFor = (target: string): number => send.mock.calls.filter((call) => String(call.arguments[0]).includes(`\r\nST: ${target}\r\n`)).length;
    assert.equal(sentFor(igd1), 1);
    assert.equal(sentFor(wanppp), 3);
    await search.return();
    await responder.close();
  });

  test("resends after 250, 750 and 1750 ms: each gap twice the last (fake clock)", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const send = t.mock.method(dgram.Socket.prototype, "send");
    const responder = await startResponder(() => []);
    const firstSent = later();
    // The fake clock never ends the search by itself: a failed assertion must not leave it open.
    const stop = new AbortController();
    t.after(() => stop.abort());
    const search = searchSsdp(options(responder, { retransmits: 4, listenMs: 10_000, signal: stop.signal, onTrace: (e) => e.type === "sent" && firstSent.resolve() }));
    const pending = search.next();
    pending.catch(() => {});
    await firstSent.promise;
    const sends = (): number => searchesSent(send.mock.calls);
    assert.equal(sends(), 1);
    for (const [gap, total] of [[250, 2], [500, 3], [1000, 4]] as const) {
      t.mock.timers.tick(gap - 1);
      assert.equal(sends(), total - 1, `not before ${gap} ms`);
      t.mock.timers.tick(1);
      assert.equal(sends(), total, `after ${gap} ms`);
    }
    t.mock.timers.tick(10_000);
    assert.equal(sends(), 4, "retransmits counts every send");
    assert.deepEqual(await pending, { value: undefined, done: true });
    await responder.close();
  });

  test("ssdp:all counts as answered by any reply: no resend after one (fake clock)", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const send = t.mock.method(dgram.Socket.prototype, "send");
    const responder = await startResponder(() => [replyText("http://127.0.0.1:1/d.xml", "uuid:any")]);
    const stop = new AbortController();
    t.after(() => stop.abort());
    const search = searchSsdp(options(responder, { searchTargets: ["ssdp:all"], retransmits: 3, listenMs: 10_000, signal: stop.signal }));
    assert.equal((await search.next()).value?.usn, "uuid:any");
    t.mock.timers.tick(250);
    t.mock.timers.tick(500);
    assert.equal(searchesSent(send.mock.calls), 1);
    await search.return();
    await responder.close();
  });

  test("skips datagrams that are not search replies and survives a throwing trace hook", async () => {
    const responder = await startResponder(() => [
      "garbage \u0000\u00ff",
      "NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\nLOCATION: http://127.0.0.1:1/n.xml\r\nUSN: uuid:n\r\n\r\n",
      `HTTP/1.1 200 OK\r\nX: ${"a".repeat(9000)}\r\nLOCATION: http://127.0.0.1:1/big.xml\r\n\r\n`,
      replyText("http://127.0.0.1:1/d.xml", "uuid:ok"),
    ]);
    const ignored: string[] = [];
    const onTrace = (event: SsdpTraceEvent): void => {
      if (event.type === "ignored") ignored.push(event.reason);
      throw new Error("trace hooks must not break the search");
    };
    const replies = await collectSsdp(options(responder, { listenMs: 400, retransmits: 1, onTrace }));
    assert.deepEqual(replies.map((r) => r.usn), ["uuid:ok"]);
    assert.deepEqual(ignored.sort(), ["not a search reply", "not a search reply", "too large"]);
    await responder.close();
  });

  test("an early break closes the socket", async () => {
    const responder = await startResponder(() => [replyText("http://127.0.0.1:1/d.xml", "uuid:a")]);
    let usn: string | undefined;
    for await (const reply of searchSsdp(options(responder, { listenMs: 60_000 }))) {
      usn = reply.usn;
      break;
    }
    assert.equal(usn, "uuid:a");
    // Free right after the break: the minute of listening time did not hold it.
    assert.equal(await portIsFree(responder.searches[0]!.port), true);
    await responder.close();
  });

  test("abort rejects with the signal's reason and closes the socket", async () => {
    const responder = await startResponder(() => []);
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    void responder.searchNumber(1).then(() => controller.abort(reason));
    await assert.rejects(collectSsdp(options(responder, { listenMs: 5000, signal: controller.signal })), (error) => error === reason);
    assert.equal(await portIsFree(responder.searches[0]!.port), true);
    await responder.close();
  });

  test("an already aborted signal rejects before anything is sent", async () => {
    const responder = await startResponder(() => []);
    const reason = new Error("too late");
    await assert.rejects(collectSsdp(options(responder, { signal: AbortSignal.abort(reason) })), (error) => error === reason);
    assert.equal(responder.searches.length, 0);
    await responder.close();
  });

  test("the timeout ends the iteration without an error and leaves no handles behind", async () => {
    const responder = await startResponder(() => []);
    const handles = (): number => process.getActiveResourcesInfo().filter((name) => name === "UDPWrap" || name === "Timeout").length;
    await settle();
    const before = handles();
    const replies = await collectSsdp(options(responder, { listenMs: 300 }));
    assert.deepEqual(replies, []);
    await settle();
    assert.equal(handles(), before);
    assert.equal(await portIsFree(responder.searches[0]!.port), true);
    await responder.close();
  });

  test("when every first send fails at once, the search rejects and schedules no resends", async (t) => {
    t.mock.method(dgram.Socket.prototype, "send", () => {
      throw new Error("no route to host");
    });
    const timers = (): number => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;
    await settle();
    const before = timers();
    await assert.rejects(collectSsdp({ multicast: false, unicastTargets: [{ address: "127.0.0.1", port: 9 }], listenMs: 5000, retransmits: 3 }), SocketError);
    assert.equal(timers(), before);
  });

  test("maxReplies: exactly that many distinct replies are taken, the next is not", async () => {
    const replies = (count: number) => Array.from({ length: count }, (_, i) => replyText(`http://127.0.0.1:1/${i}.xml`, `uuid:${i}`));
    for (const [sent, taken] of [[3, 3], [4, 3]] as const) {
      const responder = await startResponder((_, index) => (index === 0 ? replies(sent) : []));
      assert.equal((await collectSsdp(options(responder, { maxReplies: 3, listenMs: 500, retransmits: 1 }))).length, taken, `${sent} sent`);
      await responder.close();
    }
  });

  test("maxReplies caps a flood of distinct replies", async () => {
    const flood = Array.from({ length: 1000 }, (_, i) => replyText(`http://127.0.0.1:1/${i}.xml`, `uuid:${i}`));
    const responder = await startResponder((_, index) => (index === 0 ? flood : []));
    const replies = await collectSsdp(options(responder, { maxReplies: 20, listenMs: 5000 }));
    assert.equal(replies.length, 20);
    assert.equal(new Set(replies.map((r) => r.location)).size, 20);
    await responder.close();
  });

  test("searches from the local port asked for", async () => {
    const probe = await bind(4);
    const localPort = probe.address().port;
    await close(probe);
    const responder = await startResponder(() => [replyText("http://127.0.0.1:1/d.xml", "uuid:a")]);
    const replies = await collectSsdp(options(responder, { localPort, listenMs: 300, retransmits: 1 }));
    assert.equal(replies.length, 1);
    assert.equal(responder.searches[0]!.port, localPort);
    await responder.close();
  });

  test("a local port in use rejects with SocketError", async () => {
    const holder = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => holder.bind(0, "0.0.0.0", resolve));
    const responder = await startResponder(() => []);
    await assert.rejects(collectSsdp(options(responder, { localPort: holder.address().port })), SocketError);
    assert.equal(responder.searches.length, 0);
    await close(holder);
    await responder.close();
  });

  test("searches over IPv6 on ::1", async (t) => {
    if (!requireOrSkip(t, hasIpv6Loopback(), "the IPv6 loopback address ::1")) return;
    const responder = await startResponder(() => [replyText("http://[::1]:5000/d.xml", "uuid:six")], 6);
    const replies = await collectSsdp(options(responder, { listenMs: 300, retransmits: 1 }));
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.family, 6);
    assert.equal(replies[0]!.address, "::1");
    assert.equal(replies[0]!.port, responder.replyPort);
    assert.match(responder.searches[0]!.text, new RegExp(`\\r\\nHOST: \\[::1\\]:${responder.port}\\r\\n`));
    await responder.close();
  });
});

describe("search options", () => {
  test("are checked before any socket is opened", async () => {
    await assert.rejects(collectSsdp({ multicast: false }), InvalidArgumentError);
    await assert.rejects(collectSsdp({ multicast: false, unicastTargets: [{ address: "router.local" }] }), InvalidArgumentError);
    await assert.rejects(collectSsdp({ multicast: false, unicastTargets: [{ address: "127.0.0.1", port: 0 }] }), InvalidArgumentError);
    await assert.rejects(collectSsdp({ multicast: false, unicastTargets: [{ address: "127.0.0.1" }], listenMs: -1 }), InvalidArgumentError);
    await assert.rejects(collectSsdp({ multicast: false, unicastTargets: [{ address: "127.0.0.1" }], searchTargets: [] }), InvalidArgumentError);
    await assert.rejects(collectSsdp({ multicast: false, unicastTargets: [{ address: "127.0.0.1" }], ttl: 256 }), InvalidArgumentError);
  });

  test("localPort 1 means 1900, as the engine's discover_local_port", () => {
    const target = { multicast: false, unicastTargets: [{ address: "127.0.0.1" }] };
    assert.equal(planSearch({ ...target, localPort: 1 }).bindPort, 1900);
    assert.equal(planSearch({ ...target, localPort: 0 }).bindPort, 0);
    assert.equal(planSearch({ ...target, localPort: 40000 }).bindPort, 40000);
  });

  test("multicast goes to the IPv4 group, or to FF05::C then FF02::C with ipv6", () => {
    const v4 = planSearch({ searchTargets: [igd1], unicastToDefaultGateway: false });
    assert.deepEqual(v4.sends.map((s) => `${s.address}:${s.port}`), ["239.255.255.250:1900"]);
    assert.deepEqual([...v4.families], [4]);
    const v6 = planSearch({ searchTargets: [igd1], ipv6: true, unicastTargets: [{ address: "127.0.0.1", port: 1901 }] });
    assert.deepEqual(v6.sends.map((s) => `${s.address}:${s.port}`), ["FF05::C:1900", "FF02::C:1900", "127.0.0.1:1901"]);
    assert.deepEqual([...v6.families].sort(), [4, 6]);
    assert.match(v6.sends[1]!.message.toString(), /\r\nHOST: \[FF02::C\]:1900\r\n/);
  });

  test("the multicast interface may be given by name or address", () => {
    assert.equal(resolveMulticastInterface("", 4), undefined);
    assert.equal(resolveMulticastInterface("192.0.2.7", 4), "192.0.2.7");
    assert.equal(resolveMulticastInterface("7", 6), "::%7");
    assert.throws(() => resolveMulticastInterface("no-such-interface0", 4), SocketError);
    assert.throws(() => resolveMulticastInterface("no-such-interface0", 6), SocketError);
    const loopback = Object.entries(os.networkInterfaces()).find(([, infos]) => infos?.some((i) => i.address === "127.0.0.1"));
    assert.ok(loopback, "every machine has a loopback interface with 127.0.0.1");
    assert.equal(resolveMulticastInterface(loopback[0], 4), "127.0.0.1");
    assert.equal(resolveMulticastInterface(loopback[0], 6), `::%${loopback[0]}`);
    assert.equal(resolveMulticastInterface("127.0.0.1", 6), `::%${loopback[0]}`);
  });

  test("a named interface is looked up in the host the search was given, read once with the rest of the plan", async () => {
    const interfaces = () => ({ fake0: [{ address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: true, cidr: "127.0.0.1/8" }] }) as const;
    assert.equal(resolveMulticastInterface("fake0", 4, interfaces), "127.0.0.1");
    let reads = 0;
    const host = { ...systemHostNetwork, interfaces: () => (reads++, interfaces()) };
    const plan = planSearch({ searchTargets: [igd1], unicastToDefaultGateway: false, multicastInterface: "fake0" }, host);
    const socket = await bindSsdpSocket({ ...plan, family: 4, port: 0 });
    closeSsdpSocket(socket);
    assert.equal(reads, 2, "the plan's networks and the socket's interface, from the host given");
    await assert.rejects(bindSsdpSocket({ ...plan, interfaces: undefined, family: 4, port: 0 }), SocketError);
  });
});

describe("bindSsdpSocket", () => {
  // Binding only: these sockets never send, so the multicast settings touch no network.
  test("sets up multicast on a bound socket", async () => {
    const socket = await bindSsdpSocket({ family: 4, port: 0, multicast: true, ttl: 2, multicastInterface: "127.0.0.1" });
    assert.ok(socket.address().port > 0);
    closeSsdpSocket(socket);
    closeSsdpSocket(socket);
  });

  test("an unknown multicast interface is a SocketError", async () => {
    await assert.rejects(bindSsdpSocket({ family: 4, port: 0, multicast: true, ttl: 2, multicastInterface: "no-such-interface0" }), SocketError);
  });

  test("an aborted signal rejects with its reason", async () => {
    const reason = new Error("stop");
    const options = { family: 4 as const, port: 0, multicast: false, ttl: 2, multicastInterface: "", signal: AbortSignal.abort(reason) };
    await assert.rejects(bindSsdpSocket(options), (error) => error === reason);
  });
});
