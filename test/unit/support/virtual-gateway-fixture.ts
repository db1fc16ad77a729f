import dgram from "node:dgram";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import { startVirtualGateway, type VirtualGateway, type VirtualGatewayOptions } from "../../../src/index.js";
import type { FindGatewayOptions } from "../../../src/index.js";

/** Starts a virtual gateway on loopback that closes when the test ends. */
export async function virtualGateway(t: TestContext, options: VirtualGatewayOptions = {}): Promise<VirtualGateway> {
  const gateway = await startVirtualGateway(options);
  t.after(() => gateway.close());
  return gateway;
}

/** Discovery options that reach these gateways by unicast on loopback only, never by multicast. */
export function searchOnly(...gateways: VirtualGateway[]): FindGatewayOptions {
  return {
    multicast: false,
    unicastTargets: gateways.map((g) => ({ address: g.ssdpAddress.address, port: g.ssdpAddress.port })),
    listenMs: 1000,
  };
}

/**
 * A UPnP device that is not a virtual gateway: answers unicast M-SEARCH on loopback with the
 * LOCATION of `descriptionXml`, served over HTTP. Returns discovery options that reach it.
 */
export async function fakeDevice(t: TestContext, descriptionXml: string): Promise<FindGatewayOptions> {
  const server = http.createServer((_request, response) => response.end(descriptionXml));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const httpPort = (server.address() as AddressInfo).port;
  const socket = dgram.createSocket("udp4");
  socket.on("message", (_message, peer) => {
    const reply =
      "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n" +
      `USN: uuid:fake::upnp:rootdevice\r\nLOCATION: http://127.0.0.1:${httpPort}/desc.xml\r\nEXT:\r\n\r\n`;
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(async () => {
    socket.close();
    await new Promise((resolve) => server.close(resolve));
  });
  return { multicast: false, unicastTargets: [{ address: "127.0.0.1", port: socket.address().port }], listenMs: 1000 };
}
