import type { DeviceDescription } from "./description/device-description.js";
import { uuidOfUsn, type SsdpNotify } from "./ssdp/ssdp-notify.js";

/** What identifies one UPnP gateway in announcements. */
export interface AnnouncingDevice {
  /** Where its description was found; its `ssdp:alive` announcements name it as LOCATION. */
  descriptionUrl: string | undefined;
  description: DeviceDescription | undefined;
  /** Address its requests go to; an announcement from there is its own when nothing else tells. */
  address: string;
  /** `BOOTID.UPNP.ORG` of the search reply that found it, when there was one. */
  bootId: number | undefined;
}

/**
 * Tells from a gateway's SSDP announcements (UDA 1.1 §1.2) when it restarted: `ssdp:alive` with
 * another BOOTID.UPNP.ORG than the one known, `ssdp:alive` after `ssdp:byebye`, or its description
 * moving to another URL (a router back on another HTTP port). `ssdp:update` hands over to the
 * NEXTBOOTID without a restart: the device changed network, not state (§1.2.4).
 */
export class RestartDetector {
  readonly #uuids: ReadonlySet<string>;
  readonly #device: AnnouncingDevice;
  #bootId: number | undefined;
  #location: string | undefined;
  #saidByebye = false;

  constructor(device: AnnouncingDevice) {
    this.#device = device;
    this.#bootId = device.bootId;
    this.#location = device.descriptionUrl;
    const udns = [device.description?.udn, ...(device.description?.wanConnectionServices.map((service) => service.deviceUdn) ?? [])];
    this.#uuids = new Set(udns.map((udn) => (udn === undefined ? undefined : uuidOfUsn(udn))).filter((uuid) => uuid !== undefined));
  }

  /** The device's boot id as last announced (or found by the search), when known. */
  get bootId(): number | undefined {
    return this.#bootId;
  }

  /** Takes an announcement heard from `from`; returns why it shows a restart, else undefined. */
  observe(notify: SsdpNotify, from: string): string | undefined {
    if (!this.#isOurs(notify, from)) return undefined;
    if (notify.kind === "ssdp:byebye") {
      this.#saidByebye = true;
      return undefined;
    }
    if (notify.kind === "ssdp:update") {
      if (notify.nextBootId !== undefined) this.#bootId = notify.nextBootId;
      return undefined;
    }
    const reason = this.#restartReason(notify);
    if (notify.bootId !== undefined) this.#bootId = notify.bootId;
    if (notify.location !== undefined) this.#location = notify.location;
    this.#saidByebye = false;
    return reason;
  }

  #restartReason(alive: SsdpNotify): string | undefined {
    if (this.#saidByebye) return "the gateway announced ssdp:byebye, then ssdp:alive";
    if (alive.bootId !== undefined && this.#bootId !== undefined && alive.bootId !== this.#bootId) {
      return `the gateway announced BOOTID.UPNP.ORG ${alive.bootId} (was ${this.#bootId})`;
    }
    if (alive.location !== undefined && this.#location !== undefined && alive.location !== this.#location) {
      return `the gateway's description moved to ${alive.location}`;
    }
    return undefined;
  }

  /** By the device's UUIDs when its description named them, else by LOCATION, else by sender. */
  #isOurs(notify: SsdpNotify, from: string): boolean {
    if (this.#uuids.size > 0) {
      const uuid = uuidOfUsn(notify.usn);
      return uuid !== undefined && this.#uuids.has(uuid);
    }
    if (notify.location !== undefined && this.#location !== undefined) return notify.location === this.#location;
    return from === this.#device.address;
  }
}
