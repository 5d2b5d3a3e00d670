import { assert_, assertEquals, assertThrows } from "../chunked/assert.ts";
import {
  decodeResult,
  encodeResult,
  encodeTask,
  jobIdOf,
} from "../../src/distributed/job_codec.ts";
import { parseQueueUrl, redactUrl } from "../../src/distributed/redis.ts";
import { createSharedArray } from "../../src/chunked/shared_array.ts";
import type { ChunkTask, TaskExecutor } from "../../src/chunked/types.ts";
import { routeSharedTasks } from "../../src/distributed/routing_executor.ts";

const task: ChunkTask = {
  opId: "abc123",
  opName: "dog",
  kernel: { module: "file:///k.ts", name: "k" },
  params: { sigma: 2 },
  chunkIndex: [1, 0, 2],
  chunkLinear: 7,
  outputBox: { start: [8, 0, 16], stop: [16, 8, 24] },
  inputs: [{
    location: { kind: "zarr", location: "/data/em.zarr", level: 2 },
    box: { start: [6, 0, 14], stop: [18, 10, 26] },
  }],
  output: { kind: "zarr", location: "/data/out.zarr", level: 0 },
  attempt: 1,
};

Deno.test("jobIdOf() names op, chunk and attempt, so a re-enqueue of attempt 1 dedupes", () => {
  assertEquals(jobIdOf(task), "abc123-7-1");
  assertEquals(jobIdOf({ ...task, attempt: 2 }), "abc123-7-2");
});

Deno.test("encodeTask() passes JSON tasks through and rejects shared-memory arrays", () => {
  assertEquals(encodeTask(task), JSON.parse(JSON.stringify(task)));
  const shared = createSharedArray("mem", { shape: [4, 4, 4], chunks: [4, 4, 4], dtype: "uint8" });
  assertThrows(() => encodeTask({ ...task, output: shared }), TypeError);
  let message = "";
  try {
    encodeTask({ ...task, inputs: [{ location: shared, box: task.outputBox }] });
  } catch (error) {
    message = String(error);
  }
  assert_(message.includes("shared:mem") && message.includes("dog"), message);
});

Deno.test("encodeResult() / decodeResult() round-trip typed-array partials through JSON", () => {
  const partial = { sums: Float64Array.of(1.5, -2), labels: [Uint32Array.of(7, 8)], n: 3 };
  const wire = JSON.parse(JSON.stringify(encodeResult({
    chunkLinear: 4,
    bytesRead: 10,
    bytesWritten: 20,
    partial,
  })));
  const back = decodeResult(wire);
  assertEquals(back, { chunkLinear: 4, bytesRead: 10, bytesWritten: 20, partial });
  assert_((back.partial as typeof partial).sums instanceof Float64Array);
  assertEquals(decodeResult({ chunkLinear: 1 }), { chunkLinear: 1, bytesRead: 0, bytesWritten: 0 });
  assertThrows(() => decodeResult("nope"), TypeError);
});

Deno.test("parseQueueUrl() accepts redis URLs only; redactUrl() hides passwords", () => {
  assertEquals(parseQueueUrl(" redis://10.0.0.5:6379 "), "redis://10.0.0.5:6379");
  assertEquals(parseQueueUrl("rediss://h:6380/2"), "rediss://h:6380/2");
  assertThrows(() => parseQueueUrl("http://h:6379"), TypeError);
  assertThrows(() => parseQueueUrl("h:6379:x"), TypeError);
  assertEquals(redactUrl("redis://user:secret@h:6379"), "redis://user:***@h:6379");
});

Deno.test("routeSharedTasks() sends shared-memory tasks to the local executor", async () => {
  const seen: string[] = [];
  const fake = (name: string, concurrency: number): TaskExecutor => ({
    concurrency,
    execute: (t) => {
      seen.push(`${name}:${t.chunkLinear}`);
      return Promise.resolve({ chunkLinear: t.chunkLinear, bytesRead: 0, bytesWritten: 0 });
    },
    close: () => Promise.resolve(void seen.push(`${name}:closed`)),
  });
  const executor = routeSharedTasks(fake("queue", 64), fake("local", 2));
  assertEquals(executor.concurrency, 64);
  const shared = createSharedArray("mem", { shape: [4, 4, 4], chunks: [4, 4, 4], dtype: "uint8" });
  await executor.execute(task);
  await executor.execute({ ...task, chunkLinear: 8, output: shared });
  await executor.close();
  assertEquals(seen, ["queue:7", "local:8", "queue:closed", "local:closed"]);
});
