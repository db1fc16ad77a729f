import type { PortMapper } from "../mapping/port-mapper.js";
import { findGateway, type FindGatewayOptions } from "./gateway/find-gateways.js";
import { checkAnnouncementListenOptions } from "./ssdp/announcement-listener.js";
import { UpnpPortMapper, type UpnpPortMapperOptions } from "./upnp-port-mapper.js";

export interface UpnpMapperFinderOptions extends UpnpPortMapperOptions {
  /** How to search for the gateway; its `signal`, if any, is joined with each call's own. @default {} */
  discovery?: FindGatewayOptions | undefined;
}

/**
 * A function that finds the best UPnP gateway (`findGateway`) and returns a `PortMapper` on it:
 * what a mapping manager calls at the start and whenever its gateway stops answering.
 */
export function upnpMapperFinder(options: UpnpMapperFinderOptions = {}): (signal: AbortSignal) => Promise<PortMapper> {
  const { discovery = {}, ...mapperOptions } = options;
  // Checked now rather than at the first discovery, so that a mistake shows where it was made.
  checkAnnouncementListenOptions(mapperOptions.announcements);
  return async (signal) => {
    const gateway = await findGateway({ ...discovery, signal: discovery.signal === undefined ? signal : AbortSignal.any([discovery.signal, signal]) });
    return new UpnpPortMapper(gateway, mapperOptions);
  };
}
