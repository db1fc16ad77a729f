import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpError } from "../../src/errors/errors.js";
import { httpRequest } from "../../src/http/http-request.js";
import { outcomeIsUnknown } from "../../src/upnp/igd/remove-own-mapping.js";

/** The error httpRequest gives for `options`, which must fail. */
async function failure(options: Parameters<typeof httpRequest>[0]): Promise<unknown> {
  try {
    await httpRequest(options);
  } catch (error) {
    return error;
  }
  throw new Error("the request did not fail");
}

test("a request refused before any byte left is known to have done nothing", async () => {
  const signal = new AbortController().signal;
  const badHeader = await failure({ method: "POST", url: "http://127.0.0.1:1/ctl", headers: { SOAPAction: "a\r\nb" }, body: "", signal });
  assert.ok(badHeader instanceof HttpError);
  assert.equal(outcomeIsUnknown(badHeader), false);
  const badLocalAddress = await failure({ method: "POST", url: "http://127.0.0.1:1/ctl", localAddress: "not an address", body: "", signal });
  assert.ok(badLocalAddress instanceof HttpError);
  assert.equal(outcomeIsUnknown(badLocalAddress), false);
});

test("a refused connection is known; a reset or a failure without a code is not", () => {
  const withCode = (code: string | undefined): HttpError =>
    new HttpError("failed", "http://192.0.2.1/ctl", undefined, Object.assign(new Error("x"), { code }));
  assert.equal(outcomeIsUnknown(withCode("ECONNREFUSED")), false);
  assert.equal(outcomeIsUnknown(withCode("ECONNRESET")), true);
  assert.equal(outcomeIsUnknown(withCode(undefined)), true);
});
