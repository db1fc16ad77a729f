import { DEFAULT_DESCRIPTION, WanConnection } from "../upnp/gateway/wan-connection.js";
import { IGDStatus, UPNPResult } from "./result-codes.js";
import { toResult } from "./result-of.js";


function isPort(value: number, min: number): boolean {
  return Number.isInteger(value) && value >= min && value <= 65535;
}

/**
 * A UPnP device as the Redot/Godot `UPNPDevice` class sees it. Every property can be set, so a
 * gateway can be built by hand and added with `UPNP.addDevice`. Network methods are async and
 * report failures as `UPNPResult` codes (or `""`), never by throwing.
 */
export class UPNPDevice {
  /** LOCATION of the device's root description. */
  descriptionUrl = "";
  /** The search target (ST) the device answered with. */
  serviceType = "";
  /** Absolute control URL of the WAN connection service. */
  igdControlUrl = "";
  /** WANIPConnection or WANPPPConnection type, v1 or v2. */
  igdServiceType = "";
  /** Our local address on the connection to this gateway; sent as the mapping's internal client. */
  igdOurAddr = "";
  igdStatus: IGDStatus = IGDStatus.UNKNOWN_ERROR;

  #gateway: WanConnection | undefined;
  #gatewayKey = "";

  /** True when `igdStatus` is OK; set `igdStatus = IGDStatus.OK` to use a gateway that claims to be disconnected. */
  isValidGateway(): boolean {
    return this.igdStatus === IGDStatus.OK;
  }

  /** The idiomatic `WanConnection` behind this device, rebuilt whenever its properties change. */
  toGateway(): WanConnection {
    const key = `${this.igdControlUrl}\n${this.igdServiceType}\n${this.igdOurAddr}`;
    if (!this.#gateway || key !== this.#gatewayKey) {
      this.#gateway = new WanConnection({
        controlUrl: this.igdControlUrl,
        serviceType: this.igdServiceType,
        localAddress: this.igdOurAddr || undefined,
        descriptionUrl: this.descriptionUrl || undefined,
      });
      this.#gatewayKey = key;
    }
    return this.#gateway;
  }

  /** The gateway's external address, or `""` on any failure. */
  async queryExternalAddress(): Promise<string> {
    try {
      return await this.toGateway().getExternalAddress();
    } catch {
      return "";
    }
  }

  /** AddPortMapping, validated in the engine's order. `portInternal` 0 = same as `port`; `duration` 0 = permanent. */
  async addPortMapping(port: number, portInternal = 0, desc = "", proto = "UDP", duration = 0): Promise<UPNPResult> {
    if (!this.isValidGateway()) return UPNPResult.INVALID_GATEWAY;
    if (!isPort(port, 1)) return UPNPResult.INVALID_PORT;
    if (!isPort(portInternal, 0)) return UPNPResult.INVALID_PORT;
    if (proto !== "UDP" && proto !== "TCP") return UPNPResult.INVALID_PROTOCOL;
    if (!Number.isInteger(duration) || duration < 0) return UPNPResult.INVALID_DURATION;
    return toResult(() =>
      this.toGateway().addPortMapping({
        externalPort: port,
        internalPort: portInternal === 0 ? port : portInternal,
        protocol: proto,
        // The engine sent "libminiupnpc" for an empty description.
        description: desc === "" ? DEFAULT_DESCRIPTION : desc,
        leaseSeconds: duration,
        // The engine makes exactly one AddPortMapping; lease fallbacks are the idiomatic API's job.
        verify: false,
        leaseFallback: false,
      }),
    );
  }

  /** DeletePortMapping. A missing mapping gives NO_SUCH_ENTRY_IN_ARRAY when the router answers 714 (miniupnpd answers success). */
  async deletePortMapping(port: number, proto = "UDP"): Promise<UPNPResult> {
    if (!isPort(port, 1)) return UPNPResult.INVALID_PORT;
    if (proto !== "UDP" && proto !== "TCP") return UPNPResult.INVALID_PROTOCOL;
    if (this.igdControlUrl === "") return UPNPResult.INVALID_GATEWAY;
    return toResult(() => this.toGateway().deletePortMapping({ externalPort: port, protocol: proto }));
  }
}
