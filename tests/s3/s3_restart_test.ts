/**
 * The restart test: an OME-Zarr write of many chunks to s3:// while the S3
 * server is killed (SIGKILL) and restarted on the same port and folder mid-job. The
 * job finishes on its own retries, with the same objects, byte for byte, as a write
 * to a local folder: no chunk lost, none partial.
 * @module
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { openImage, openLevel } from "../../src/io/image.ts";
import { configureS3, S3Store } from "../../src/io/s3_store.ts";
import { writeImage } from "../../src/io/writer.ts";
import { assertSameObjects, folderObjects, seededVolume, storeObjects } from "./compare.ts";
import { optionsFor, startS3Server } from "./server.ts";

const axes = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" }));

Deno.test("writeImage() to s3:// survives an S3 server restart mid-job with no lost chunk", async () => {
  const server = await startS3Server(["em"]);
  const local = await Deno.makeTempDir({ prefix: "clemreg_s3_restart_" });
  const events = { puts: 0, failures: 0, putsAfterRestart: 0, restarted: false };
  let outage: Promise<void> | undefined;
  const killAt = 40;
  try {
    // Generous retries: the outage (kill, pause, a new s3rver process) must fit in
    // the backoff budget even on a slow machine; the job only waits as long as it lasts.
    configureS3(optionsFor(server, {
      attempts: 40,
      baseDelayMs: 50,
      maxDelayMs: 1000,
      timeoutMs: 5000,
      maxConcurrency: 8,
      fetch: async (request) => {
        try {
          const response = await fetch(request);
          if (request.method === "PUT" && response.ok) {
            events.puts++;
            if (events.restarted) events.putsAfterRestart++;
            if (events.puts === killAt) {
              outage = (async () => {
                await server.kill();
                await new Promise((resolve) => setTimeout(resolve, 300));
                await server.restart();
                events.restarted = true;
              })();
            }
          }
          return response;
        } catch (error) {
          events.failures++;
          throw error;
        }
      },
    }));
    const shape = [24, 128, 128];
    const data = seededVolume(shape[0]! * shape[1]! * shape[2]!, 11);
    const spec = {
      axes,
      shape,
      chunks: [4, 32, 32],
      dtype: "uint16" as const,
      scale: [0.05, 0.01, 0.01],
      levels: 3,
    };
    const location = "s3://em/jobs/restart.zarr";
    await writeImage(location, data, spec);
    await outage;
    assert.ok(events.restarted, "the server was restarted during the job");
    assert.ok(events.failures > 0, "requests failed while the server was down");
    assert.ok(events.putsAfterRestart > 0, "the job went on writing after the restart");

    const localPath = path.join(local, "restart.zarr");
    await writeImage(localPath, data, spec);
    const expected = await folderObjects(localPath);
    assert.ok(expected.size > 100, `expected many chunks, got ${expected.size}`);
    const store = new S3Store(location, optionsFor(server));
    assertSameObjects(await storeObjects(store), expected);
    const level0 = await openLevel(await openImage(location), 0);
    assert.deepEqual(await level0.readRegion({ start: [0, 0, 0], stop: shape }), data);
  } finally {
    configureS3({});
    await outage?.catch(() => {});
    await server.close();
    await Deno.remove(local, { recursive: true });
  }
});
