/**
 * Child process for the S3 tests: runs `s3rver` on 127.0.0.1 and prints
 * `READY <port>` once it listens. Arguments: port (0 = any free one), data folder,
 * bucket names. Stops on SIGTERM; the tests may also SIGKILL it to simulate a crash.
 * @module
 */
import S3rver from "s3rver";

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
