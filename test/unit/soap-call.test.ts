import { resultOf } from "../../src/compat/result-of.js";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UPNPResult } from "../../src/compat/result-codes.js";
import { HttpError, InvalidArgumentError, InvalidResponseError, TimeoutError, UpnpActionError } from "../../src/errors/errors.js";
import { soapCall } from "../../src/upnp/soap/soap-call.js";
import { buildSoapEnvelope } from "../../src/upnp/soap/soap-envelope.js";
import { faultReply, soapReply, startControlServer, type ControlServer } from "../fixtures/soap/control-server.js";

const serviceType = "urn:schemas-upnp-org:service:WANIPConnection:2";

describe("soapCall", () => {
  let server: ControlServer;
  before(async () => {
    server = await startControlServer({
      GetExternalIPAddress: () => ({ body: soapReply("GetExternalIPAddress", "<NewExternalIPAddress>198.51.100.7</NewExternalIPAddress>") }),
      Echo: (request) => ({ body: soapReply("Echo", `<Bytes>${request.bodyBytes}</Bytes>`) }),
      Conflict: () => faultReply(718, "ConflictInMappingEntry"),
      FaultWith200: () => ({ status: 200, body: faultReply(725, "OnlyPermanentLeasesSupported")!.body }),
      HtmlError: () => ({ status: 500, body: "<html><body>Internal Server Error</body></html>", contentType: "text/html" }),
      Missing: () => ({ status: 404, body: "" }),
      Junk: () => ({ body: "this is not xml at all" }),
      WrongResponse: () => ({ body: soapReply("SomethingElse", "") }),
      Accepted: () => ({ status: 202, body: soapReply("Accepted", "<Done>1</Done>") }),
      LastSuccess: () => ({ status: 299, body: soapReply("LastSuccess", "<Done>1</Done>") }),
      MultipleChoices: () => ({ status: 300, body: soapReply("MultipleChoices", "<Done>1</Done>") }),
      BareName: () => ({ body: soapReply("BareName", "").replace(/BareNameResponse/g, "BareName") }),
      Hang: () => undefined,
    });
  });
  after(() => server.close());

  const call = (action: string, args: ReadonlyArray<readonly [string, string]> = [], extra = {}) =>
    soapCall({ controlUrl: server.controlUrl, serviceType, action, args, ...extra });

  it("returns the out-arguments", async () => {
    assert.deepEqual(await call("GetExternalIPAddress"), { NewExternalIPAddress: "198.51.100.7" });
  });

  it("POSTs the envelope to the control path with a quoted SOAPAction and the XML content type", async () => {
    const before = server.requests.length;
    const args = [["NewRemoteHost", ""], ["NewExternalPort", "8080"]] as const;
    await call("Echo", args);
    const request = server.requests[before]!;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/ctl/IPConn");
    assert.equal(request.headers.soapaction, `"${serviceType}#Echo"`);
    assert.equal(request.headers["content-type"], 'text/xml; charset="utf-8"');
    assert.equal(request.body, buildSoapEnvelope(serviceType, "Echo", args));
  });

  it("sends Content-Length in bytes for a non-ASCII description", async () => {
    const before = server.requests.length;
    const description = "Überall 🎮 ゲーム";
    const reply = await call("Echo", [["NewPortMappingDescription", description]]);
    const request = server.requests[before]!;
    const expected = Buffer.byteLength(buildSoapEnvelope(serviceType, "Echo", [["NewPortMappingDescription", description]]));
    assert.equal(request.headers["content-length"], String(expected));
    assert.equal(reply.Bytes, String(expected));
    assert.notEqual(expected, request.body.length, "bytes differ from UTF-16 length");
    assert.ok(request.body.includes(`<NewPortMappingDescription>${description}</NewPortMappingDescription>`));
  });

  it("turns an HTTP 500 fault into UpnpActionError", async () => {
    await assert.rejects(
      call("Conflict"),
      (error: unknown) =>
        error instanceof UpnpActionError &&
        error.upnpCode === 718 &&
        resultOf(error) === UPNPResult.CONFLICT_WITH_OTHER_MAPPING &&
        error.action === "Conflict",
    );
  });

  it("turns a fault sent with HTTP 200 into UpnpActionError too", async () => {
    await assert.rejects(call("FaultWith200"), (error: unknown) => error instanceof UpnpActionError && error.upnpCode === 725);
  });

  it("turns an HTTP 500 HTML page into HttpError with the status", async () => {
    await assert.rejects(
      call("HtmlError"),
      (error: unknown) => error instanceof HttpError && error.status === 500 && resultOf(error) === UPNPResult.HTTP_ERROR,
    );
  });

  it("turns a 404 into HttpError with the status", async () => {
    await assert.rejects(call("Missing"), (error: unknown) => error instanceof HttpError && error.status === 404);
  });

  it("turns a 200 with junk into InvalidResponseError", async () => {
    await assert.rejects(call("Junk"), InvalidResponseError);
    await assert.rejects(call("WrongResponse"), InvalidResponseError);
  });

  it("every 2xx status is success, 300 is not", async () => {
    assert.deepEqual(await call("Accepted"), { Done: "1" });
    assert.deepEqual(await call("LastSuccess"), { Done: "1" });
    await assert.rejects(call("MultipleChoices"), (error: unknown) => error instanceof HttpError && error.status === 300);
  });

  it("takes an empty <u:{action}> as the response only when told the action has no out-arguments", async () => {
    assert.deepEqual(await call("BareName", [], { hasOutArguments: false }), {});
    await assert.rejects(call("BareName"), InvalidResponseError);
  });

  it("times out with TimeoutError and closes the connection", { timeout: 5000 }, async () => {
    await assert.rejects(call("Hang", [], { timeoutMs: 100 }), TimeoutError);
    await server.socketsClosed();
    assert.equal(server.requests.at(-1)?.action, "Hang");
  });

  it("rejects with the caller's reason when aborted", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const pending = call("Hang", [], { signal: controller.signal });
    setImmediate(() => controller.abort(reason));
    await assert.rejects(pending, (error: unknown) => error === reason);
  });

  it("rejects at once when the signal is already aborted, without a request", async () => {
    const before = server.requests.length;
    const reason = new Error("already");
    await assert.rejects(call("GetExternalIPAddress", [], { signal: AbortSignal.abort(reason) }), (error) => error === reason);
    assert.equal(server.requests.length, before);
  });

  it("refuses an argument XML cannot carry before any request", async () => {
    const before = server.requests.length;
    await assert.rejects(call("Echo", [["NewPortMappingDescription", "nul\u0000"]]), InvalidArgumentError);
    assert.equal(server.requests.length, before);
  });

  it("reports a refused connection as HttpError without status", async () => {
    const closed = await startControlServer({});
    await closed.close();
    await assert.rejects(
      soapCall({ controlUrl: closed.controlUrl, serviceType, action: "GetExternalIPAddress", args: [] }),
      (error: unknown) => error instanceof HttpError && error.status === undefined,
    );
  });
});
