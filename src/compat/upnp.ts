import { discoverDevices } from "../upnp/gateway/find-gateways.js";
import type { GatewayProbe } from "../upnp/gateway/probe-gateway.js";
import { IGD_SEARCH_TARGETS } from "../upnp/ssdp/ssdp-message.js";
import type { SsdpReply, SsdpSearchOptions } from "../upnp/ssdp/ssdp-search-options.js";
import { UPNPResult } from "./result-codes.js";
import { igdStatusOf, resultOf } from "./result-of.js";
import { UPNPDevice } from "./upnp-device.js";

/** Extra search settings the engine has no property for (porthole extension). */
export type DiscoverOptions = Pick<
  SsdpSearchOptions,
  "unicastTargets" | "multicast" | "unicastToDefaultGateway" | "retransmits" | "maxReplies" | "allowForeignLocations" | "onTrace"
>;

function warnBadIndex(method: string, index: number, count: number): void {
  process.emitWarning(`UPNP.${method}: index ${index} is out of range (${count} devices)`, { code: "PORTHOLE_BAD_INDEX" });
}

/**
 * The Redot/Godot `UPNP` class: discover devices, pick the gateway, map ports. Same members,
 * defaults and result codes as the engine, but every network call is async and cancels nothing
 * else; see docs/compatibility.md for the few places where porthole deliberately differs.
 */
export class UPNP {
  /** Search over IPv6 (FF05::C, then FF02::C) instead of IPv4. */
  discoverIPv6 = false;
  /** Source port of the search: 0 = chosen by the system, 1 = 1900, other = that port. */
  discoverLocalPort = 0;
  /** Interface (name or IPv4 address) to send the search on; "" = the system's default. */
  discoverMulticastIf = "";
  /** porthole extension: where else to send the search, e.g. unicast to a known gateway. */
  discoverOptions: DiscoverOptions = {};

  #devices: UPNPDevice[] = [];
  /** miniupnpc-style rank of each discovered device; hand-built devices are trusted (rank 1). */
  #ranks = new WeakMap<UPNPDevice, number>();

  /**
   * Searches for devices for `timeout` ms and replaces the device list with those whose search
   * target contains `deviceFilter`. All IGD search targets go out at once (the engine searched them
   * one after another, up to 4 × timeout), and descriptions are fetched while the search goes on.
   */
  async discover(timeout = 2000, ttl = 2, deviceFilter = "InternetGatewayDevice"): Promise<UPNPResult> {
    if (!Number.isInteger(timeout) || timeout < 0 || !Number.isInteger(ttl) || ttl < 0 || ttl > 255) {
      return UPNPResult.INVALID_PARAM;
    }
    this.clearDevices();
    const searchTargets = IGD_SEARCH_TARGETS.some((target) => target.includes(deviceFilter))
      ? [...IGD_SEARCH_TARGETS]
      : [...IGD_SEARCH_TARGETS, "ssdp:all"];
    try {
      for await (const { reply, probe } of discoverDevices({
        ...this.discoverOptions,
        listenMs: timeout,
        ttl,
        mx: Math.min(120, Math.max(1, Math.floor(timeout / 1000))),
        ipv6: this.discoverIPv6,
        multicastInterface: this.discoverMulticastIf,
        localPort: this.discoverLocalPort,
        searchTargets,
        acceptReply: (candidate) => candidate.st.includes(deviceFilter),
      })) {
        this.#devices.push(this.#deviceFrom(reply, probe));
      }
    } catch (error) {
      return resultOf(error);
    }
    // Unlike the engine (flaw 3), a filter that removed every reply is not a success.
    return this.#devices.length > 0 ? UPNPResult.SUCCESS : UPNPResult.NO_DEVICES;
  }

  #deviceFrom(reply: SsdpReply, probe: GatewayProbe): UPNPDevice {
    const device = new UPNPDevice();
    device.descriptionUrl = reply.location;
    device.serviceType = reply.st;
    device.igdStatus = igdStatusOf(probe.verdict);
    if (probe.gateway) {
      device.igdControlUrl = probe.gateway.controlUrl;
      device.igdServiceType = probe.gateway.serviceType;
      device.igdOurAddr = probe.gateway.localAddress ?? "";
      this.#ranks.set(device, probe.gateway.status?.rank ?? 5);
    }
    return device;
  }

  getDeviceCount(): number {
    return this.#devices.length;
  }

  /** The device at `index`, or null (with a process warning) when there is none. */
  getDevice(index: number): UPNPDevice | null {
    const device = this.#devices[index];
    if (!Number.isInteger(index) || device === undefined) {
      warnBadIndex("getDevice", index, this.#devices.length);
      return null;
    }
    return device;
  }

  addDevice(device: UPNPDevice): void {
    if (device instanceof UPNPDevice) this.#devices.push(device);
  }

  setDevice(index: number, device: UPNPDevice): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#devices.length || !(device instanceof UPNPDevice)) {
      warnBadIndex("setDevice", index, this.#devices.length);
      return;
    }
    this.#devices[index] = device;
  }

  removeDevice(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#devices.length) {
      warnBadIndex("removeDevice", index, this.#devices.length);
      return;
    }
    this.#devices.splice(index, 1);
  }

  clearDevices(): void {
    this.#devices = [];
  }

  /**
   * The gateway used by the methods below: the best valid gateway in the list (connected with a
   * public address before double NAT), the first of equals; null when there is none.
   */
  getGateway(): UPNPDevice | null {
    let best: UPNPDevice | null = null;
    let bestRank = Infinity;
    for (const device of this.#devices) {
      if (!device.isValidGateway()) continue;
      const rank = this.#ranks.get(device) ?? 1;
      if (rank < bestRank) {
        best = device;
        bestRank = rank;
      }
    }
    return best;
  }

  /** The gateway's external address, or `""` when there is no gateway or the query fails. */
  async queryExternalAddress(): Promise<string> {
    return (await this.getGateway()?.queryExternalAddress()) ?? "";
  }

  /** Maps `port` on the gateway; see `UPNPDevice.addPortMapping`. NO_GATEWAY without one. */
  async addPortMapping(port: number, portInternal = 0, desc = "", proto = "UDP", duration = 0): Promise<UPNPResult> {
    const gateway = this.getGateway();
    return gateway ? gateway.addPortMapping(port, portInternal, desc, proto, duration) : UPNPResult.NO_GATEWAY;
  }

  /** Deletes the mapping of `port`; see `UPNPDevice.deletePortMapping`. NO_GATEWAY without one. */
  async deletePortMapping(port: number, proto = "UDP"): Promise<UPNPResult> {
    const gateway = this.getGateway();
    return gateway ? gateway.deletePortMapping(port, proto) : UPNPResult.NO_GATEWAY;
  }
}
