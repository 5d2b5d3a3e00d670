/**
 * S3Store against a real S3-compatible server (s3rver on 127.0.0.1): reads, ranged
 * reads, writes, deletes, listing with continuation tokens, and clear errors.
 * @module
 */
import assert from "node:assert/strict";
import { S3RequestError, S3Store } from "../../src/io/s3_store.ts";
import { openStore } from "../../src/io/store.ts";
import { optionsFor, startS3Server } from "./server.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("S3Store get() returns undefined for absent keys and the bytes written by set()", async () => {
  const server = await startS3Server(["data"]);
  try {
    const store = new S3Store("s3://data/run1/image.zarr", optionsFor(server));
    assert.equal(store.writable, true);
    assert.equal(store.description, "s3://data/run1/image.zarr");
    assert.equal(await store.get("/zarr.json"), undefined);
    const value = new Uint8Array(70_000).map((_, i) => (i * 7919) % 251);
    await store.set("/0/c/0/0/0", value);
    assert.deepEqual(await store.get("/0/c/0/0/0"), value);
    await store.set("/0/c/0/0/0", bytes(1, 2, 3));
    assert.deepEqual(await store.get("/0/c/0/0/0"), bytes(1, 2, 3));
    // The object sits below the prefix, seen from a store rooted at the bucket.
    const bucketRoot = new S3Store("s3://data", optionsFor(server));
    assert.deepEqual(await bucketRoot.get("/run1/image.zarr/0/c/0/0/0"), bytes(1, 2, 3));
    await store.delete("/0/c/0/0/0");
    assert.equal(await store.get("/0/c/0/0/0"), undefined);
    await store.delete("/0/c/0/0/0"); // absent keys are fine
  } finally {
    await server.close();
  }
});

Deno.test("S3Store getRange() reads offset and suffix ranges and clips at the end", async () => {
  const server = await startS3Server(["data"]);
  try {
    const store = new S3Store("s3://data/p", optionsFor(server));
    const value = new Uint8Array(1000).map((_, i) => i % 256);
    await store.set("/shard", value);
    assert.deepEqual(
      await store.getRange("/shard", { offset: 10, length: 5 }),
      value.slice(10, 15),
    );
    assert.deepEqual(await store.getRange("/shard", { suffixLength: 16 }), value.slice(984));
    assert.deepEqual(await store.getRange("/shard", { suffixLength: 5000 }), value);
    assert.deepEqual(await store.getRange("/shard", { offset: 990, length: 50 }), value.slice(990));
    assert.deepEqual(await store.getRange("/shard", { offset: 5, length: 0 }), new Uint8Array(0));
    assert.equal(await store.getRange("/missing", { offset: 0, length: 4 }), undefined);
    assert.equal(await store.getRange("/missing", { suffixLength: 4 }), undefined);
  } finally {
    await server.close();
  }
});

Deno.test("S3Store list() follows continuation tokens and honours the prefix", async () => {
  const server = await startS3Server(["data"]);
  try {
    let listRequests = 0;
    const store = new S3Store(
      "s3://data/img.zarr",
      optionsFor(server, {
        fetch: (request) => {
          if (new URL(request.url).searchParams.has("list-type")) listRequests++;
          return fetch(request);
        },
      }),
    );
    const other = new S3Store("s3://data/img.zarr2", optionsFor(server));
    await other.set("/0/zarr.json", bytes(9)); // a sibling prefix must not leak in
    const keys: `/${string}`[] = ["/zarr.json", "/0/zarr.json", "/1/zarr.json", "/10/c/0"];
    for (let i = 0; i < 11; i++) keys.push(`/0/c/${i}/0/0`);
    await Promise.all(keys.map((key, i) => store.set(key, bytes(i))));
    const expected = keys.slice().sort();
    assert.deepEqual(await store.list(), expected);
    listRequests = 0;
    assert.deepEqual(await store.list("/", { pageSize: 3 }), expected);
    assert.equal(listRequests, 5, "15 keys in pages of 3 take 5 requests");
    assert.deepEqual(
      await store.list("/0/", { pageSize: 4 }),
      expected.filter((k) => k.startsWith("/0/")),
    );
    assert.deepEqual(await store.list("/1"), ["/1/zarr.json", "/10/c/0"]);
    assert.deepEqual(await store.list("/1/"), ["/1/zarr.json"]);
    assert.deepEqual(await store.list("/nothing/"), []);
  } finally {
    await server.close();
  }
});

Deno.test("S3Store rejects bad credentials with one clear sentence and no secret", async () => {
  const server = await startS3Server(["data"]);
  const secret = "wJalrXUtnFEMI-very-secret-KEY";
  try {
    const store = new S3Store(
      "s3://data/img.zarr",
      optionsFor(server, { credentials: { accessKeyId: "NOBODY", secretAccessKey: secret } }),
    );
    for (const attempt of [() => store.get("/zarr.json"), () => store.set("/a", bytes(1))]) {
      const error = await attempt().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof S3RequestError, `expected S3RequestError, got ${error}`);
      assert.equal(error.status, 403);
      assert.equal(error.code, "InvalidAccessKeyId");
      assert.match(error.message, /s3:\/\/data\/img\.zarr\/(zarr\.json|a)/);
      assert.match(error.message, /HTTP 403/);
      assert.ok(!error.message.includes(secret), "the secret must not appear");
      assert.ok(!String(error.stack).includes(secret), "the secret must not appear in the stack");
    }
  } finally {
    await server.close();
  }
});

Deno.test("S3Store names a missing bucket instead of reading it as empty", async () => {
  const server = await startS3Server(["data"]);
  try {
    const store = new S3Store("s3://no-such-bucket/x", optionsFor(server));
    await assert.rejects(() => store.get("/zarr.json"), /bucket "no-such-bucket" does not exist/);
    await assert.rejects(() => store.set("/a", bytes(1)), /s3:\/\/no-such-bucket\/x\/a.*HTTP 404/);
  } finally {
    await server.close();
  }
});

Deno.test("openStore() opens s3:// URLs as S3 stores with options or environment", () => {
  const store = openStore("s3://bucket/a/b/", {
    s3: { endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "k", secretAccessKey: "s" } },
  });
  assert.ok(store instanceof S3Store);
  assert.equal(store.description, "s3://bucket/a/b");
  assert.equal(store.objectKey("/0/zarr.json"), "a/b/0/zarr.json");
  assert.throws(() => openStore("s3://"), /expected s3:\/\/bucket/);
  assert.throws(
    () => openStore("s3://bkt", { s3: { attempts: 0 } }),
    /attempts must be a positive/,
  );
});
