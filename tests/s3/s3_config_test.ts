/**
 * S3 configuration: defaults from the standard `AWS_*` variables, explicit options
 * winning over them, and object URLs in path and virtual-hosted style.
 * @module
 */
import assert from "node:assert/strict";
import { configureS3, objectUrl, resolveS3Config } from "../../src/io/s3_config.ts";
import { S3Store } from "../../src/io/s3_store.ts";

const names = [
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
];

/** Run `fn` with exactly these AWS_* variables set, restoring the old ones after. */
function withEnv(values: Record<string, string>, fn: () => void): void {
  const saved = new Map(names.map((n) => [n, Deno.env.get(n)]));
  try {
    for (const name of names) Deno.env.delete(name);
    for (const [name, value] of Object.entries(values)) Deno.env.set(name, value);
    fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

Deno.test("resolveS3Config() takes endpoint, region and credentials from AWS_* variables", () => {
  withEnv({
    AWS_ENDPOINT_URL: "http://minio.local:9000",
    AWS_DEFAULT_REGION: "eu-west-2",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SESSION_TOKEN: "token",
  }, () => {
    const config = resolveS3Config("s3://em/run/a.zarr");
    assert.equal(config.bucket, "em");
    assert.equal(config.prefix, "run/a.zarr");
    assert.equal(config.region, "eu-west-2");
    assert.equal(config.forcePathStyle, true);
    assert.deepEqual(config.credentials, {
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
    });
    assert.equal(config.maxConcurrency, 16);
    assert.equal(config.attempts, 6);
    assert.equal(
      objectUrl(config, "run/a.zarr/0/c 1").href,
      "http://minio.local:9000/em/run/a.zarr/0/c%201",
    );
    assert.equal(objectUrl(config, undefined).href, "http://minio.local:9000/em");
    // Explicit options win over the environment.
    const explicit = resolveS3Config("s3://em", { region: "us-west-1", forcePathStyle: false });
    assert.equal(explicit.region, "us-west-1");
    assert.equal(objectUrl(explicit, "k").href, "http://em.minio.local:9000/k");
  });
});

Deno.test("resolveS3Config() defaults to AWS virtual-hosted URLs and unsigned read-only access", () => {
  withEnv({ AWS_REGION: "eu-central-1" }, () => {
    const config = resolveS3Config("s3://open-data/ome/");
    assert.equal(config.prefix, "ome");
    assert.equal(config.forcePathStyle, false);
    assert.equal(config.credentials, undefined);
    assert.equal(
      objectUrl(config, "ome/zarr.json").href,
      "https://open-data.s3.eu-central-1.amazonaws.com/ome/zarr.json",
    );
    assert.equal(new S3Store("s3://open-data/ome").writable, false);
    // Dotted bucket names fall back to path style.
    assert.equal(resolveS3Config("s3://my.bucket").forcePathStyle, true);
  });
});

Deno.test("configureS3() sets process defaults that explicit options still override", () => {
  withEnv({}, () => {
    try {
      configureS3({ endpoint: "http://127.0.0.1:1234", maxConcurrency: 4, attempts: 9 });
      const config = resolveS3Config("s3://bkt", { attempts: 2 });
      assert.equal(config.endpoint.href, "http://127.0.0.1:1234/");
      assert.equal(config.maxConcurrency, 4);
      assert.equal(config.attempts, 2);
    } finally {
      configureS3({});
    }
    assert.equal(resolveS3Config("s3://bkt").maxConcurrency, 16);
  });
});
