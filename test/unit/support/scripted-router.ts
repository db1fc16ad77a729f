import { readFileSync } from "node:fs";
import type { TestContext } from "node:test";
import { soapReply, startControlServer, type ActionHandler, type ControlServer } from "../../fixtures/soap/control-server.js";

const descriptionDirectory = new URL("../../../../test/fixtures/descriptions/", import.meta.url);

/** A golden description fixture's XML (test/fixtures/descriptions/{name}.xml). */
export function descriptionFixture(name: string): string {
  return readFileSync(new URL(`${name}.xml`, descriptionDirectory), "utf8");
}

/** GetStatusInfo's reply. */
export function statusReply(status: string, uptime = "42"): { body: string } {
  return {
    body: soapReply(
      "GetStatusInfo",
      `<NewConnectionStatus>${status}</NewConnectionStatus><NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>${uptime}</NewUptime>`,
    ),
  };
}

/** GetExternalIPAddress's reply. */
export function addressReply(address: string): { body: string } {
  return { body: soapReply("GetExternalIPAddress", `<NewExternalIPAddress>${address}</NewExternalIPAddress>`) };
}

function entryFields(internalClient: string, internalPort: number, leaseSeconds: number, description: string): string {
  return (
    `<NewInternalPort>${internalPort}</NewInternalPort><NewInternalClient>${internalClient}</NewInternalClient>` +
    `<NewEnabled>1</NewEnabled><NewPortMappingDescription>${description}</NewPortMappingDescription>` +
    `<NewLeaseDuration>${leaseSeconds}</NewLeaseDuration>`
  );
}

/** GetSpecificPortMappingEntry's reply for a mapping to `internalClient:internalPort`. */
export function entryReply(internalClient: string, internalPort: number, leaseSeconds = 3600, description = "porthole"): { body: string } {
  return { body: soapReply("GetSpecificPortMappingEntry", entryFields(internalClient, internalPort, leaseSeconds, description)) };
}

/** GetGenericPortMappingEntry's reply for one table row. */
export function genericEntryReply(
  row: { externalPort: number; protocol: string; internalClient: string; internalPort: number; leaseSeconds?: number; description?: string },
): { body: string } {
  return {
    body: soapReply(
      "GetGenericPortMappingEntry",
      `<NewRemoteHost></NewRemoteHost><NewExternalPort>${row.externalPort}</NewExternalPort><NewProtocol>${row.protocol}</NewProtocol>` +
        entryFields(row.internalClient, row.internalPort, row.leaseSeconds ?? 3600, row.description ?? "porthole"),
    ),
  };
}

/** A router whose every answer the test writes: a description at `/rootDesc.xml` and SOAP handlers. */
export interface ScriptedRouter extends ControlServer {
  descriptionUrl: string;
  /** The actions received on one control path, in order. */
  actionsAt(path: string): string[];
}

export async function scriptedRouter(t: TestContext, description: string, handlers: Record<string, ActionHandler>): Promise<ScriptedRouter> {
  const server = await startControlServer(handlers, { documents: { "/rootDesc.xml": description } });
  t.after(() => server.close());
  return {
    ...server,
    descriptionUrl: `${server.baseUrl}/rootDesc.xml`,
    actionsAt: (path) => server.requests.filter((request) => request.path === path).map((request) => request.action),
  };
}

/** A promise with its resolve function, for handlers that answer when the test says so. */
export function later<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
