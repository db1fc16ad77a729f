import { parseHttpUrl } from "../../http/http-url.js";
import type { DeviceDescription, WanConnectionService } from "./device-description.js";

/** A WAN connection service left out because of where its control URL points. */
export interface RefusedService {
  service: WanConnectionService;
  reason: string;
}

/** The services that can be driven, and those refused. */
export interface ServicesByHost {
  services: WanConnectionService[];
  refused: RefusedService[];
}

/**
 * Keeps the services whose control URL is on the host the description came from (any port).
 * A description is untrusted text: without this, a device could make porthole POST to any
 * address (this host's own services, another network). A refused service is skipped, not the
 * whole device, so a router with one odd service still works through its others.
 *
 * @param allowForeign keep every service (the check is skipped)
 */
export function servicesOnDescriptionHost(description: DeviceDescription, allowForeign = false): ServicesByHost {
  const all = description.wanConnectionServices;
  if (allowForeign) return { services: [...all], refused: [] };
  const descriptionHost = parseHttpUrl(description.descriptionUrl).host.toLowerCase();
  const byHost: ServicesByHost = { services: [], refused: [] };
  for (const service of all) {
    const controlHost = parseHttpUrl(service.controlUrl).host.toLowerCase();
    if (controlHost === descriptionHost) byHost.services.push(service);
    else {
      byHost.refused.push({
        service,
        reason: `control URL ${service.controlUrl} is not on ${descriptionHost}, the host of the description`,
      });
    }
  }
  return byHost;
}
