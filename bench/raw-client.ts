/**
 * The floor: the same requests porthole makes, sent with nothing but a socket. An M-SEARCH on a
 * bare UDP socket, and SOAP requests prepared as bytes up front and written in one segment on a
 * fresh TCP connection (Nagle off), read until the server closes. Whatever a client takes beyond
 * these is its own overhead.
 */
import dgram from "node:dgram";
import http from "node:http";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { buildSoapEnvelope, soapActionHeader, type SoapArgument } from "../src/upnp/soap/soap-envelope.js";
import { parseHttpUrl } from "../src/http/http-url.js";

/** The WAN connection service the raw requests go to. */
export interface RawService {
  readonly controlUrl: string;
  readonly serviceType: string;
}

/** One HTTP request as bytes, ready to be written as it is. */
export interface PreparedRequest {
  readonly host: string;
  readonly port: number;
  readonly bytes: Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly text: string;
}

const rawTimeoutMs = 5_000;

/** A SOAP POST of `action` with the envelope porthole itself would send. */
export function prepareSoapRequest(service: RawService, action: string, args: readonly SoapArgument[]): PreparedRequest {
  const target = parseHttpUrl(service.controlUrl);
  const body = Buffer.from(buildSoapEnvelope(service.serviceType, action, args), "utf8");
  const head =
    `POST ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nConnection: close\r\n` +
    `Content-Type: text/xml; charset="utf-8"\r\nSOAPAction: ${soapActionHeader(service.serviceType, action)}\r\n` +
    `Content-Length: ${body.length}\r\n\r\n`;
  return { host: target.host, port: target.port, bytes: Buffer.concat([Buffer.from(head, "latin1"), body]) };
}

/** A plain GET, e.g. of the device description. */
export function prepareGet(url: string): PreparedRequest {
  const target = parseHttpUrl(url);
  const head = `GET ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nConnection: close\r\n\r\n`;
  return { host: target.host, port: target.port, bytes: Buffer.from(head, "latin1") };
}

/** Connects, writes the request, reads until the server closes; the status is read from the first line. */
export function sendRaw(request: PreparedRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: request.host, port: request.port, noDelay: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no complete reply from ${request.host}:${request.port} within ${rawTimeoutMs} ms`)), rawTimeoutMs);
    socket.once("connect", () => socket.end(request.bytes));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("close", (hadError) => {
      clearTimeout(timer);
      if (hadError) return;
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    });
  });
}

/** `sendRaw`, rejecting unless the server answered 200. */
export async function sendRawOk(request: PreparedRequest): Promise<RawResponse> {
  const response = await sendRaw(request);
  if (response.status !== 200) throw new Error(`raw request answered HTTP ${response.status}: ${response.text.slice(0, 400)}`);
  return response;
}

/**
 * The same SOAP POST through node:http (fresh connection, Nagle off, one write), without any of
 * porthole's layers: tells how much of a client's overhead is node:http's own.
 */
export function postWithNodeHttp(service: RawService, action: string, args: readonly SoapArgument[]): Promise<number> {
  const target = parseHttpUrl(service.controlUrl);
  const body = Buffer.from(buildSoapEnvelope(service.serviceType, action, args), "utf8");
  const headers = {
    Connection: "close",
    "Content-Type": 'text/xml; charset="utf-8"',
    SOAPAction: soapActionHeader(service.serviceType, action),
    "Content-Length": String(body.length),
  };
  return new Promise((resolve, reject) => {
    const request = http.request({ host: target.host, port: target.port, path: target.path, method: "POST", headers, agent: false, timeout: rawTimeoutMs });
    request.on("socket", (socket) => socket.setNoDelay(true));
    request.on("timeout", () => request.destroy(new Error(`no reply within ${rawTimeoutMs} ms`)));
    request.on("error", reject);
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.end(body);
  });
}

const ssdpGroup = "239.255.255.250";

/**
 * Sends one M-SEARCH for `searchTarget` to the SSDP group from `interfaceAddress` and resolves with
 * the milliseconds until the first reply, socket creation included.
 */
export function timeRawMSearch(interfaceAddress: string, searchTarget: string, timeoutMs = 3_000): Promise<number> {
  const start = performance.now();
  const socket = dgram.createSocket("udp4");
  const message = Buffer.from(`M-SEARCH * HTTP/1.1\r\nHOST: ${ssdpGroup}:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${searchTarget}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(performance.now() - start);
    };
    const timer = setTimeout(() => finish(new Error(`no M-SEARCH reply within ${timeoutMs} ms`)), timeoutMs);
    socket.once("message", () => finish());
    socket.once("error", finish);
    socket.bind(0, () => {
      socket.setMulticastInterface(interfaceAddress);
      socket.send(message, 1900, ssdpGroup, (error) => {
        if (error) finish(error);
      });
    });
  });
}
