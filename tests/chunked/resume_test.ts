import { join } from "node:path";
import { assert_, assertEquals, assertRejects } from "./assert.ts";
import { abortOnTick, countLines, randomVolume, testKernel } from "./helpers.ts";
import { createRawArray, openRawArray } from "./raw_array.ts";
import { killJobInput, killJobShape } from "./kill_job.ts";
import { openImage, openLevel } from "../../src/io/image.ts";
import { copyRegion } from "../../src/io/box.ts";
import { ChunkTaskError } from "../../src/chunked/errors.ts";
import { map } from "../../src/chunked/ops.ts";
import { runOp } from "../../src/chunked/scheduler.ts";
import { createSharedArray, sharedArrayData } from "../../src/chunked/shared_array.ts";
import { openJournal } from "../../src/chunked/journal.ts";

const jobScript = new URL("./kill_job.ts", import.meta.url).pathname;

function runChild(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", jobScript, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function journalPath(outputDir: string): Promise<string> {
  for await (const entry of Deno.readDir(join(outputDir, ".clemreg-journal"))) {
    if (entry.name.endsWith(".jsonl")) return join(outputDir, ".clemreg-journal", entry.name);
  }
  throw new Error("no journal");
}

async function readZarr(path: string): Promise<Float32Array> {
  const array = await openLevel(await openImage(path), 0);
  return await array.readRegion({ start: [0, 0, 0], stop: killJobShape }) as Float32Array;
}

async function readJournal(outputDir: string) {
  const path = await journalPath(outputDir);
  const id = path.split("/").pop()!.replace(".jsonl", "");
  const journal = await openJournal(join(outputDir, ".clemreg-journal"), id);
  await journal.close();
  return { path, done: journal.done };
}

/** Wait (up to 10 s) until the child job's journal lists `count` chunks; the number it lists. */
async function journalledAtLeast(outputDir: string, count: number): Promise<number> {
  let lines = 0;
  for (let i = 0; i < 400 && lines < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    lines = await journalPath(outputDir).then(countLines, () => 0);
  }
  return lines;
}

Deno.test("runOp() resumes after SIGKILL without recomputing journalled chunks", async () => {
  const work = await Deno.makeTempDir({ prefix: "clemreg-kill-" });
  try {
    // An uninterrupted reference run (also creates the shared input).
    const reference = await runChild([work, "reference.zarr"]).output();
    assertEquals(reference.code, 0, new TextDecoder().decode(reference.stderr));
    assertEquals(JSON.parse(new TextDecoder().decode(reference.stdout)).executed, 64);

    const killedPath = join(work, "killed.zarr");
    const child = runChild([work, "killed.zarr"]);
    await journalledAtLeast(killedPath, 6);
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    assertEquals(status.signal, "SIGKILL");
    const journalled = (await readJournal(killedPath)).done.size;
    assert_(journalled >= 6 && journalled < 64, `journalled ${journalled} of 64 before the kill`);

    const rerun = await runChild([work, "killed.zarr"]).output();
    assertEquals(rerun.code, 0, new TextDecoder().decode(rerun.stderr));
    const stats = JSON.parse(new TextDecoder().decode(rerun.stdout));
    assertEquals(stats.skipped, journalled);
    assertEquals(stats.executed, 64 - journalled);

    const expected = await readZarr(join(work, "reference.zarr"));
    assertEquals(await readZarr(killedPath), expected);
    assertEquals([...expected.subarray(0, 3)], [1, 15, 29]);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("Ctrl-C (SIGINT) finishes the chunks in flight, exits 130, and a rerun completes", async () => {
  const work = await Deno.makeTempDir({ prefix: "clemreg-sigint-" });
  try {
    const outputPath = join(work, "out.zarr");
    const child = runChild([work, "out.zarr"]);
    const before = await journalledAtLeast(outputPath, 6);
    child.kill("SIGINT");
    const { code, stderr } = await child.output();
    const message = new TextDecoder().decode(stderr);
    assertEquals(code, 130, message);
    assert_(message.includes("Interrupted: finishing the chunks in flight"), message);
    assert_(message.includes("error: interrupted"), message);

    // Every journalled chunk was written whole, and the job stopped before the end.
    const { path, done } = await readJournal(outputPath);
    assert_(done.size >= before && done.size < 64, `journalled ${done.size} of 64`);
    assertEquals(await countLines(path), done.size);
    const expected = killJobInput().map((v) => v * 2 + 1);
    const output = await openLevel(await openImage(outputPath), 0);
    for (const linear of done.keys()) {
      const index = [Math.floor(linear / 16), Math.floor(linear / 4) % 4, linear % 4];
      const chunk = await output.readChunk(index);
      const box = { start: index.map((i) => i * 4), stop: index.map((i) => i * 4 + 4) };
      const want = new Float32Array(64);
      copyRegion(expected, { start: [0, 0, 0], stop: killJobShape }, want, box, box);
      assertEquals(chunk, want, `chunk ${index}`);
    }

    const rerun = await runChild([work, "out.zarr"]).output();
    assertEquals(rerun.code, 0, new TextDecoder().decode(rerun.stderr));
    const stats = JSON.parse(new TextDecoder().decode(rerun.stdout));
    assertEquals(stats.skipped, done.size);
    assertEquals(stats.executed, 64 - done.size);
    assertEquals(await readZarr(outputPath), expected);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("runOp() ends with a ChunkTaskError naming the chunk, and a non-zero exit", async () => {
  const work = await Deno.makeTempDir({ prefix: "clemreg-fail-" });
  try {
    const failed = await runChild([work, "out.zarr", "fail"]).output();
    const stderr = new TextDecoder().decode(failed.stderr);
    assert_(failed.code !== 0, "the job must exit non-zero");
    assert_(stderr.includes(`Chunk [0, 1, 1] of "slow copy" failed after 2 attempts`), stderr);
    assert_(stderr.includes("bad voxel in this chunk"), stderr);
    // The journal is intact: it parses, lacks the bad chunk, and every chunk it lists was written.
    const { path, done } = await readJournal(join(work, "out.zarr"));
    assert_(!done.has(5));
    assert_(done.size > 0);
    assertEquals(await countLines(path), done.size);
    const output = await openLevel(await openImage(join(work, "out.zarr")), 0);
    const input = await openLevel(await openImage(join(work, "input.zarr")), 0);
    for (const linear of done.keys()) {
      const index = [Math.floor(linear / 16), Math.floor(linear / 4) % 4, linear % 4];
      assertEquals(await output.readChunk(index), await input.readChunk(index), `chunk ${index}`);
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("runOp() retries a task that throws once, then completes", async () => {
  const shape = [8, 8, 8];
  const input = randomVolume("in", shape, [4, 4, 4], 2);
  const output = createSharedArray("out", { shape, chunks: [4, 4, 4], dtype: "float32" });
  const retried: string[] = [];
  const result = await runOp(
    map({
      name: "flaky",
      kernel: testKernel("flakyCopy"),
      inputs: [input],
      output,
      params: { flakyChunk: 3 },
    }),
    {
      workers: 2,
      quiet: true,
      journalDir: false,
      retryDelayMs: 1,
      onRetry: (error) => retried.push((error as Error).message),
    },
  );
  assertEquals(result.retried, 1);
  assertEquals(retried, ["transient failure at chunk 3"]);
  assertEquals([...sharedArrayData(output)], [...sharedArrayData(input)]);
});

Deno.test("runOp() error from a worker keeps the original message and stack as cause", async () => {
  const shape = [4, 4, 8];
  const input = randomVolume("in", shape, [4, 4, 4], 2);
  const output = createSharedArray("out", { shape, chunks: [4, 4, 4], dtype: "float32" });
  const error = await assertRejects(runOp(
    map({
      name: "bad",
      kernel: testKernel("failingCopy"),
      inputs: [input],
      output,
      params: { badChunk: 1 },
    }),
    { workers: 1, quiet: true, journalDir: false, maxAttempts: 3, retryDelayMs: 1 },
  ));
  assert_(error instanceof ChunkTaskError);
  assertEquals(error.chunkIndex, [0, 0, 1]);
  assertEquals(error.attempts, 3);
  const cause = error.cause as Error;
  assert_(cause instanceof RangeError);
  assertEquals(cause.message, "bad voxel in this chunk");
  assert_(cause.stack?.includes("kernels.ts"), cause.stack);
});

Deno.test("runOp() stops on abort and a rerun finishes only the missing chunks", async () => {
  const work = await Deno.makeTempDir({ prefix: "clemreg-abort-" });
  try {
    const shape = [8, 8, 16];
    const input = randomVolume("in", shape, [2, 4, 4], 9);
    const outDir = join(work, "out");
    const output = await createRawArray(outDir, { shape, chunks: [2, 4, 4], dtype: "float32" });
    const op = map({
      name: "slow",
      kernel: testKernel("slowCopy"),
      inputs: [input],
      output,
      params: { delayMs: 15 },
    });
    const journalDir = join(outDir, ".journal");
    const controller = new AbortController();
    // Abort right after the third chunk is journalled.
    const progress = abortOnTick(controller, 3);
    const error = await assertRejects(
      runOp(op, { workers: 1, progress, journalDir, signal: controller.signal }),
    );
    assert_(error instanceof DOMException && error.name === "AbortError", String(error));
    const journalFile = (await Array.fromAsync(Deno.readDir(journalDir)))
      .find((e) => e.name.endsWith(".jsonl"))!;
    const done = await countLines(join(journalDir, journalFile.name));
    assert_(done >= 3 && done < 32, `journalled ${done} of 32`);
    const rerun = await runOp(op, { workers: 1, quiet: true, journalDir });
    assertEquals(rerun.skipped, done);
    assertEquals(rerun.executed, 32 - done);
    const data = await openRawArray({ dir: outDir });
    const whole = await data.readRegion({ start: [0, 0, 0], stop: shape });
    assertEquals([...whole], [...sharedArrayData(input)].map((v) => v * 2 + 1));
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
