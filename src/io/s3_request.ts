/**
 * Signed S3 requests with a bound on requests in flight, a time limit per try, and
 * retries with exponential backoff and full jitter on 5xx, 429, timeouts and dropped
 * connections. Never retries other 4xx. Errors name the object, never credentials.
 * @module
 */
import { AwsClient } from "aws4fetch";
import { objectUrl, type S3Config } from "./s3_config.ts";
import { parseErrorBody } from "./s3_xml.ts";

/** One S3 request to send. */
export interface S3Call {
  method: "GET" | "PUT" | "DELETE" | "HEAD";
  /** Full object key (prefix included), or undefined for a bucket-level request. */
  objectKey: string | undefined;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal | undefined;
}

/** A completed answer whose status the caller accepted. */
export interface S3Answer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/** An S3 request failed; `status` and `code` are set when the server answered. */
export class S3RequestError extends Error {
  readonly status: number | undefined;
  readonly code: string | undefined;

  /**
   * @param message one sentence naming the request and the problem
   * @param details HTTP status and S3 error code, if any; the original error as `cause`
   */
  constructor(message: string, details: { status?: number; code?: string; cause?: unknown }) {
    super(message, details.cause === undefined ? {} : { cause: details.cause });
    this.name = "S3RequestError";
    this.status = details.status;
    this.code = details.code;
  }
}

/** A counting semaphore: at most `limit` holders at once, first come first served. */
class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.#free = limit;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/** Wait `ms`, or reject early with the signal's reason. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Thrown inside a try when the answer's status is worth another try. */
class RetryableStatus extends Error {
  constructor(readonly status: number, readonly code: string | undefined, detail: string) {
    super(detail);
  }
}

/** Sends S3 requests for one store under its concurrency, timeout and retry settings. */
export class S3Requester {
  readonly #config: S3Config;
  readonly #client: AwsClient | undefined;
  readonly #slots: Semaphore;

  /** @param config the store's resolved configuration */
  constructor(config: S3Config) {
    this.#config = config;
    this.#slots = new Semaphore(config.maxConcurrency);
    this.#client = config.credentials
      ? new AwsClient({ ...config.credentials, service: "s3", region: config.region, retries: 0 })
      : undefined;
  }

  /**
   * Send `call` until it gets an answer `accept` takes, a status not worth retrying,
   * or the tries run out.
   * @param call the request
   * @param accept statuses returned to the caller (others are errors)
   * @returns the accepted answer with its whole body
   * @throws {S3RequestError} naming the object, the status and the S3 error code
   */
  async send(call: S3Call, accept: (status: number) => boolean): Promise<S3Answer> {
    const { attempts, baseDelayMs, maxDelayMs } = this.#config;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2));
        await sleep(Math.random() * ceiling, call.signal);
      }
      try {
        return await this.#tryOnce(call, accept);
      } catch (error) {
        if (call.signal?.aborted) throw call.signal.reason;
        if (error instanceof S3RequestError) throw error;
        lastError = error;
        if (
          !(error instanceof RetryableStatus || error instanceof TypeError ||
            (error instanceof DOMException && error.name === "TimeoutError"))
        ) break;
      }
    }
    throw this.#failure(call, lastError, attempts);
  }

  /** The `s3://` name of the request's target, for messages. */
  name(call: S3Call): string {
    return `s3://${this.#config.bucket}/${call.objectKey ?? ""}`;
  }

  async #tryOnce(call: S3Call, accept: (status: number) => boolean): Promise<S3Answer> {
    await this.#slots.acquire();
    const timeout = new AbortController();
    const timer = this.#config.timeoutMs > 0
      ? setTimeout(
        () => timeout.abort(new DOMException("the request timed out", "TimeoutError")),
        this.#config.timeoutMs,
      )
      : undefined;
    const signal = call.signal ? AbortSignal.any([call.signal, timeout.signal]) : timeout.signal;
    try {
      const request = await this.#build(call, signal);
      const response = await this.#config.fetch(request);
      const body = new Uint8Array(await response.arrayBuffer());
      if (accept(response.status)) {
        return { status: response.status, headers: response.headers, body };
      }
      const { code, message } = parseErrorBody(new TextDecoder().decode(body));
      const detail = `HTTP ${response.status}${code ? ` ${code}` : ""}${
        message ? ` (${message})` : ""
      }`;
      if (response.status >= 500 || response.status === 429) {
        throw new RetryableStatus(response.status, code, detail);
      }
      const hint = response.status === 403 || code === "InvalidAccessKeyId"
        ? ": check the AWS_* credentials and the bucket's permissions"
        : response.status === 301
        ? ": check the region and endpoint"
        : "";
      throw new S3RequestError(
        `S3 ${call.method} ${this.name(call)} failed: ${detail}${hint}`,
        { status: response.status, ...(code ? { code } : {}) },
      );
    } catch (error) {
      // A timeout surfaces from fetch as an AbortError carrying our reason.
      if (timeout.signal.aborted && !call.signal?.aborted) throw timeout.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      this.#slots.release();
    }
  }

  async #build(call: S3Call, signal: AbortSignal): Promise<Request> {
    const url = objectUrl(this.#config, call.objectKey);
    for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
    const headers = new Headers(call.headers ?? {});
    const init: RequestInit = { method: call.method, headers, signal, redirect: "manual" };
    if (call.body) {
      init.body = call.body as Uint8Array<ArrayBuffer>;
      if (this.#client) {
        // A signed payload hash lets the server reject a body damaged in transit.
        const digest = await crypto.subtle.digest("SHA-256", call.body as Uint8Array<ArrayBuffer>);
        headers.set("x-amz-content-sha256", toHex(new Uint8Array(digest)));
      }
    }
    if (!this.#client) return new Request(url, init);
    const signed = await this.#client.sign(url.href, init);
    // aws4fetch copies init into the signed request, but not always the signal.
    return new Request(signed, { signal });
  }

  #failure(call: S3Call, error: unknown, attempts: number): S3RequestError {
    const where = `S3 ${call.method} ${this.name(call)} failed after ${attempts} attempt${
      attempts === 1 ? "" : "s"
    }`;
    if (error instanceof RetryableStatus) {
      return new S3RequestError(`${where}: ${error.message}`, {
        status: error.status,
        ...(error.code ? { code: error.code } : {}),
        cause: error,
      });
    }
    const reason = error instanceof DOMException && error.name === "TimeoutError"
      ? `no answer within ${this.#config.timeoutMs} ms`
      : `${error instanceof TypeError ? "connection failed" : "request failed"} (${
        error instanceof Error ? error.message : String(error)
      })`;
    return new S3RequestError(`${where}: ${reason}`, { cause: error });
  }
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
