/**
 * Retries and limits of the S3 store: 5xx, 429, dropped connections and timeouts
 * are retried with backoff until the request succeeds; other 4xx are not; the
 * number of requests in flight never exceeds the configured bound.
 * @module
 */
import assert from "node:assert/strict";
import { S3RequestError, S3Store } from "../../src/io/s3_store.ts";
import { startFlakyProxy } from "./flaky_proxy.ts";
import { optionsFor, startS3Server } from "./server.ts";

const value = new Uint8Array([3, 1, 4, 1, 5, 9, 2, 6]);

/** A fetch that answers the first calls with canned faults, then passes through. */
function faultyFetch(faults: (number | "drop" | "hang")[]) {
  const calls: string[] = [];
  const fetchImpl = (request: Request): Promise<Response> => {
    calls.push(request.method);
    const fault = faults.shift();
    if (fault === undefined) return fetch(request);
    if (fault === "drop") return Promise.reject(new TypeError("connection reset by peer"));
    if (fault === "hang") {
      // Never answers; settles only when the store's timeout aborts the request.
      return new Promise((_, reject) => {
        request.signal.addEventListener("abort", () => reject(request.signal.reason), {
          once: true,
        });
      });
    }
    return Promise.resolve(
      new Response(`<Error><Code>Fault${fault}</Code><Message>injected</Message></Error>`, {
        status: fault,
      }),
    );
  };
  return { calls, fetch: fetchImpl };
}

Deno.test("S3Store retries 5xx, 429, dropped connections and timeouts, then succeeds", async () => {
  const server = await startS3Server(["data"]);
  try {
    const faults = faultyFetch([503, "drop", 429, 500, "hang"]);
    const store = new S3Store(
      "s3://data/x",
      optionsFor(server, { fetch: faults.fetch, attempts: 6, timeoutMs: 300 }),
    );
    const started = performance.now();
    await store.set("/chunk", value);
    assert.equal(faults.calls.length, 6, "five faults, then the real PUT");
    assert.ok(performance.now() - started >= 300, "the hung try waited for its timeout");
    assert.deepEqual(await store.get("/chunk"), value);
  } finally {
    await server.close();
  }
});

Deno.test("S3Store never retries a 4xx other than 429", async () => {
  for (const status of [400, 403, 409]) {
    const faults = faultyFetch([status, status, status]);
    const store = new S3Store("s3://data/x", {
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "k", secretAccessKey: "s" },
      fetch: faults.fetch,
      baseDelayMs: 1,
    });
    const error = await store.get("/a").then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof S3RequestError);
    assert.equal(error.status, status);
    assert.equal(error.code, `Fault${status}`);
    assert.equal(faults.calls.length, 1, `HTTP ${status} is tried once`);
  }
});

Deno.test("S3Store gives up after the configured attempts with the last status", async () => {
  const faults = faultyFetch([503, 503, 503, 503]);
  const store = new S3Store("s3://data/x", {
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "k", secretAccessKey: "s" },
    fetch: faults.fetch,
    attempts: 3,
    baseDelayMs: 1,
  });
  const error = await store.set("/0/c/1", value).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof S3RequestError);
  assert.equal(
    error.message,
    "S3 PUT s3://data/x/0/c/1 failed after 3 attempts: HTTP 503 Fault503 (injected)",
  );
  assert.equal(error.status, 503);
  assert.ok(error.cause instanceof Error);
  assert.equal(faults.calls.length, 3);
});

Deno.test("S3Store survives connections dropped by a real TCP proxy", async () => {
  const server = await startS3Server(["data"]);
  const proxy = startFlakyProxy(server.port, 3);
  try {
    const store = new S3Store("s3://data/p", optionsFor(server, { endpoint: proxy.endpoint }));
    await store.set("/a", value);
    assert.ok(proxy.accepted >= 4, `three dropped connections, then one that works`);
    assert.deepEqual(await store.get("/a"), value);
    assert.deepEqual(await store.list(), ["/a"]);
  } finally {
    await proxy.close();
    await server.close();
  }
});

Deno.test("S3Store keeps at most maxConcurrency requests in flight", async () => {
  let inFlight = 0;
  let peak = 0;
  const objects = new Map<string, Uint8Array<ArrayBuffer>>();
  const store = new S3Store("s3://data/x", {
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "k", secretAccessKey: "s" },
    maxConcurrency: 3,
    fetch: async (request) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const key = new URL(request.url).pathname;
      if (request.method === "PUT") objects.set(key, new Uint8Array(await request.arrayBuffer()));
      inFlight--;
      const stored = objects.get(key);
      return request.method === "GET" && !stored
        ? new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 })
        : new Response(request.method === "GET" ? stored : null, { status: 200 });
    },
  });
  await Promise.all(Array.from({ length: 30 }, (_, i) => store.set(`/c/${i}`, value)));
  const back = await Promise.all(Array.from({ length: 30 }, (_, i) => store.get(`/c/${i}`)));
  assert.equal(peak, 3);
  assert.equal(objects.size, 30);
  for (const bytes of back) assert.deepEqual(bytes, value);
  assert.equal(await store.get("/c/99"), undefined);
});
