import type { IncomingHttpHeaders } from "node:http";
import { HttpError, InvalidResponseError } from "../errors/errors.js";

/** A complete HTTP response as read off the wire. */
export interface ParsedHttpResponse {
  status: number;
  /**
   * Lower-case names. A repeated header is joined with ", " (as node does for most headers), except
   * `set-cookie`, which is an array; lines without a colon are ignored.
   */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the parser may accept, and the URL its errors name. */
export interface HttpResponseParserLimits {
  url: string;
  /** Largest head (status line and headers) accepted; a larger one is an `HttpError`. */
  maxHeaderBytes: number;
  /** Largest body accepted; a larger one is an `InvalidResponseError`. */
  maxBodyBytes: number;
}

type State = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-data-end" | "close" | "done";

/** A chunk-size line (hex size plus extensions) longer than this is not a chunked body. */
const maxChunkSizeLineBytes = 1024;
const empty = Buffer.alloc(0);

/**
 * An incremental HTTP/1.x response parser for replies from router firmware: strict about framing
 * (a body with a length or chunks must arrive whole; sizes are bounded), lenient about everything
 * else routers get wrong (LF-only line ends, missing reason phrases, junk header lines, chunk
 * extensions, missing trailers, junk after the body). Feed it with `push`; tell it with `end` when
 * the connection closed.
 */
export class HttpResponseParser {
  readonly #limits: HttpResponseParserLimits;
  #state: State = "head";
  /** Bytes of an incomplete head, chunk-size line or chunk end, kept until more arrive. */
  #pending: Buffer = empty;
  /** Where to resume looking for the end of the head in `#pending`. */
  #headScanFrom = 0;
  #status: number | undefined;
  #headers: IncomingHttpHeaders = {};
  /** Bytes still due: of the whole body (Content-Length) or of the current chunk. */
  #remaining = 0;
  readonly #body: Buffer[] = [];
  #received = 0;

  constructor(limits: HttpResponseParserLimits) {
    this.#limits = limits;
  }

  /** The final response's status once its head is read; `undefined` before that. */
  get status(): number | undefined {
    return this.#status;
  }

  /**
   * Reads the next bytes from the connection; returns the response once it is complete (later
   * bytes are ignored). Throws `HttpError` for a malformed or oversized head and
   * `InvalidResponseError` for a body over `maxBodyBytes`.
   */
  push(chunk: Buffer): ParsedHttpResponse | undefined {
    let data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = empty;
    while (data.length > 0 && !this.#isDone()) data = this.#step(data);
    return this.#isDone() ? this.#response() : undefined;
  }

  /**
   * The connection closed, after a FIN or, with `reset`, an error. Returns the response if it is
   * complete; otherwise throws `HttpError`.
   */
  end(reset?: Error): ParsedHttpResponse {
    // A close-delimited body (HTTP/1.0, no length) ends with the connection. Some routers reset
    // instead of closing; what arrived before the reset counts, unless nothing did.
    if (this.#state === "close" && (reset === undefined || this.#received > 0)) this.#state = "done";
    if (this.#state === "done") return this.#response();
    const { url } = this.#limits;
    if (this.#state === "head") {
      throw new HttpError(`the reply from ${url} ended within its header, after ${this.#pending.length} bytes`, url, undefined, reset);
    }
    throw new HttpError(`the reply from ${url} was cut off after ${this.#received} bytes`, url, this.#status, reset);
  }

  #isDone(): boolean {
    return this.#state === "done";
  }

  /** Consumes the start of `data` in the current state; returns what is left for the next state. */
  #step(data: Buffer): Buffer {
    switch (this.#state) {
      case "head":
        return this.#readHead(data);
      case "length": {
        const taken = this.#takeBody(data);
        if (this.#remaining === 0) this.#state = "done";
        return data.subarray(taken);
      }
      case "chunk-size":
        return this.#readChunkSize(data);
      case "chunk-data": {
        const taken = this.#takeBody(data);
        if (this.#remaining === 0) this.#state = "chunk-data-end";
        return data.subarray(taken);
      }
      case "chunk-data-end":
        return this.#readChunkDataEnd(data);
      case "close":
        this.#addBody(data);
        return empty;
      case "done":
        return empty;
    }
  }

  #readHead(input: Buffer): Buffer {
    // Blank lines before a status line are skipped (RFC 9112 §2.2), e.g. a stray CRLF after a
    // 100 Continue. (A pending head never starts with one: they were skipped before it was kept.)
    let start = 0;
    while (input[start] === 0x0d || input[start] === 0x0a) start++;
    const data = input.subarray(start);
    const end = headEnd(data, this.#headScanFrom);
    const { url, maxHeaderBytes } = this.#limits;
    if ((end === -1 ? data.length : end) > maxHeaderBytes) {
      throw new HttpError(`the reply header from ${url} is larger than ${maxHeaderBytes} bytes`, url);
    }
    if (end === -1) {
      this.#pending = data;
      this.#headScanFrom = Math.max(0, data.length - 2);
      return empty;
    }
    this.#headScanFrom = 0;
    this.#parseHead(data.subarray(0, end).toString("latin1"));
    return data.subarray(end);
  }

  #parseHead(text: string): void {
    const [statusLine = "", ...lines] = text.split(/\r?\n/);
    const { url } = this.#limits;
    // Extra spaces and a missing reason phrase ("HTTP/1.1 200") are common in router firmware.
    const match = /^HTTP\/1\.\d[ \t]+(\d{3})(?:[ \t]|$)/.exec(statusLine);
    if (!match) throw new HttpError(`the reply from ${url} is not HTTP: ${JSON.stringify(statusLine.slice(0, 80))}`, url);
    const status = Number(match[1]);
    // Interim responses (100 Continue) come before the real one.
    if (status < 200) return;
    this.#status = status;
    this.#headers = parseHeaderLines(lines);
    this.#state = this.#framing(status);
  }

  /** How the body is delimited (RFC 9112 §6.3). */
  #framing(status: number): State {
    if (status === 204 || status === 304) return "done";
    const transferEncoding = this.#headers["transfer-encoding"];
    // Transfer-Encoding overrides Content-Length; a response whose last coding is not chunked runs
    // until the connection closes.
    if (transferEncoding !== undefined) return /(?:^|,)[ \t]*chunked[ \t]*$/i.test(transferEncoding) ? "chunk-size" : "close";
    const contentLength = this.#headers["content-length"];
    if (contentLength === undefined) return "close";
    const { url, maxBodyBytes } = this.#limits;
    // Repeated headers arrive joined ("5, 5"); differing lengths would make the framing ambiguous.
    const lengths = new Set(contentLength.split(",").map((part) => part.trim()));
    const [length = ""] = lengths;
    if (lengths.size !== 1 || !/^\d{1,15}$/.test(length)) {
      throw new HttpError(`the reply from ${url} has an invalid Content-Length: ${JSON.stringify(contentLength.slice(0, 40))}`, url, status);
    }
    this.#remaining = Number(length);
    // A body announced as too large is refused before a byte of it is read (a 50 MB "description").
    if (this.#remaining > maxBodyBytes) {
      throw new InvalidResponseError(`response from ${url} announces ${this.#remaining} bytes, more than ${maxBodyBytes}`);
    }
    return this.#remaining === 0 ? "done" : "length";
  }

  #readChunkSize(data: Buffer): Buffer {
    const lineEnd = data.indexOf(0x0a);
    const { url, maxBodyBytes } = this.#limits;
    if (lineEnd === -1 && data.length > maxChunkSizeLineBytes) throw new HttpError(`the reply from ${url} has a malformed chunk size line`, url, this.#status);
    if (lineEnd === -1) {
      this.#pending = data;
      return empty;
    }
    // Chunk extensions (";name=value") are allowed and ignored (RFC 9112 §7.1.1).
    const match = /^[ \t]*([0-9a-fA-F]+)[ \t]*(?:;|\r?$)/.exec(data.subarray(0, lineEnd).toString("latin1"));
    if (!match) throw new HttpError(`the reply from ${url} has a malformed chunk size line`, url, this.#status);
    const size = Number.parseInt(match[1]!, 16);
    if (this.#received + size > maxBodyBytes) throw this.#tooLarge();
    // The last chunk completes the body: trailers and the final CRLF are neither needed nor waited
    // for, and some routers leave the final CRLF out.
    this.#remaining = size;
    this.#state = size === 0 ? "done" : "chunk-data";
    return data.subarray(lineEnd + 1);
  }

  /** The CRLF (or bare LF) after a chunk's data. */
  #readChunkDataEnd(data: Buffer): Buffer {
    if (data[0] === 0x0a) {
      this.#state = "chunk-size";
      return data.subarray(1);
    }
    if (data[0] === 0x0d && data.length === 1) {
      this.#pending = data;
      return empty;
    }
    if (data[0] === 0x0d && data[1] === 0x0a) {
      this.#state = "chunk-size";
      return data.subarray(2);
    }
    const { url } = this.#limits;
    throw new HttpError(`the reply from ${url} has a chunk longer than its size`, url, this.#status);
  }

  /** Takes up to `#remaining` bytes of body; returns how many it took. */
  #takeBody(data: Buffer): number {
    const taken = Math.min(this.#remaining, data.length);
    this.#addBody(data.subarray(0, taken));
    this.#remaining -= taken;
    return taken;
  }

  #addBody(bytes: Buffer): void {
    this.#received += bytes.length;
    if (this.#received > this.#limits.maxBodyBytes) throw this.#tooLarge();
    this.#body.push(bytes);
  }

  #tooLarge(): InvalidResponseError {
    return new InvalidResponseError(`response from ${this.#limits.url} is larger than ${this.#limits.maxBodyBytes} bytes`);
  }

  #response(): ParsedHttpResponse {
    return { status: this.#status!, headers: this.#headers, body: Buffer.concat(this.#body, this.#received) };
  }
}

/** The offset just past the blank line that ends a head (CRLF or bare LF line ends), or -1. */
function headEnd(data: Buffer, from: number): number {
  for (let lf = data.indexOf(0x0a, from); lf !== -1; lf = data.indexOf(0x0a, lf + 1)) {
    if (data[lf + 1] === 0x0a) return lf + 2;
    if (data[lf + 1] === 0x0d && data[lf + 2] === 0x0a) return lf + 3;
  }
  return -1;
}

function parseHeaderLines(lines: readonly string[]): IncomingHttpHeaders {
  const headers = new Map<string, string | string[]>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    // Junk lines without a colon (seen in router firmware) are skipped rather than failing the reply.
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    if (name === "set-cookie") headers.set(name, [...((previous as string[] | undefined) ?? []), value]);
    else headers.set(name, previous === undefined ? value : `${previous as string}, ${value}`);
  }
  // fromEntries defines own properties, so a header named "__proto__" stays an ordinary name.
  return Object.fromEntries(headers) as IncomingHttpHeaders;
}
