/**
 * Child process for the S3 tests: runs `s3rver` on 127.0.0.1 and prints
 * `READY <port>` once it listens. Arguments: port (0 = any free one), data folder,
 * bucket names. Stops on SIGTERM; the tests may also SIGKILL it to simulate a crash.
 * @module
 */
import crypto from "node:crypto";
import { Buffer } from "node:buffer";
import S3rver from "s3rver";

// s3rver seals ListObjectsV2 continuation tokens with DES, which Deno's node:crypto
// lacks. Tokens only need to be opaque and round-trip, so "des" becomes the identity
// here (test server only); every other algorithm is untouched.
const identityCipher = () => ({
  update: (data: string | Uint8Array, encoding?: BufferEncoding) =>
    typeof data === "string" ? Buffer.from(data, encoding ?? "utf8") : Buffer.from(data),
  final: () => Buffer.alloc(0),
});
const patchable = crypto as unknown as Record<string, unknown>;
for (const name of ["createCipheriv", "createDecipheriv"]) {
  const original = patchable[name] as (...args: unknown[]) => unknown;
  patchable[name] = (algorithm: string, ...rest: unknown[]) =>
    algorithm === "des" ? identityCipher() : original(algorithm, ...rest);
}

const [portText, directory, ...buckets] = Deno.args;
if (portText === undefined || directory === undefined) {
  console.error("usage: s3rver_child.ts PORT DIRECTORY [BUCKET...]");
  Deno.exit(2);
}
const server = new S3rver({
  address: "127.0.0.1",
  port: Number(portText),
  directory,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name })),
});
const address = await server.run();
console.log(`READY ${address.port}`);
Deno.addSignalListener("SIGTERM", () => {
  server.close().finally(() => Deno.exit(0));
});
