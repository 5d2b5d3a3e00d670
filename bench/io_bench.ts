/**
 * Chunk write and read throughput of clemreg's OME-Zarr I/O (raw, zstd, blosc-read)
 * against plain file writes and reads of the same bytes in the same run.
 * Run: `deno task bench io`.
 * @module
 */
import * as path from "node:path";
import { chunkGridShape, chunkIndices } from "../src/io/box.ts";
import { openImage, openLevel } from "../src/io/image.ts";
import { createImage } from "../src/io/writer.ts";
import { type Figure, writeResults } from "./report.ts";

const shape = [64, 512, 512]; // 16 MiB of uint8
const chunks = [32, 128, 128]; // 512 KiB chunks
const mib = (shape[0]! * shape[1]! * shape[2]!) / 2 ** 20;
const folder = await Deno.makeTempDir({ prefix: "clemreg-io-bench-" });
const axes = ["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" }));

/** EM-like content: smooth structure plus noise, so compressors see realistic entropy. */
function chunkContent(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed * 2654435761 >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out[i] = 110 + 40 * Math.sin(i / 300) + (state >>> 28);
  }
  return out;
}

const grid = chunkGridShape(shape, chunks);
const indices = [...chunkIndices(grid)];
const chunkLength = chunks[0]! * chunks[1]! * chunks[2]!;
const contents = indices.map((_, n) => chunkContent(n + 1, chunkLength));

async function timeIt(run: () => Promise<void>, repeats = 3): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    await run();
    best = Math.min(best, performance.now() - start);
  }
  return best / 1000;
}

// Baseline: plain files of the same bytes, written and read one by one.
const plainDir = path.join(folder, "plain");
await Deno.mkdir(plainDir);
const plainWrite = await timeIt(async () => {
  for (const [n, bytes] of contents.entries()) {
    await Deno.writeFile(path.join(plainDir, `${n}`), bytes);
  }
});
const plainRead = await timeIt(async () => {
  for (let n = 0; n < contents.length; n++) await Deno.readFile(path.join(plainDir, `${n}`));
});

const figures: Figure[] = [];
for (const codec of ["raw", "zstd", "gzip"] as const) {
  const location = path.join(folder, `${codec}.zarr`);
  const image = await createImage(location, {
    axes,
    shape,
    chunks,
    dtype: "uint8",
    scale: [20, 20, 20],
    codec,
    levels: 1,
  });
  const array = await openLevel(image, 0);
  const write = await timeIt(async () => {
    for (const [n, index] of indices.entries()) await array.writeChunk(index, contents[n]!);
  });
  const reopened = await openLevel(await openImage(location), 0);
  const read = await timeIt(async () => {
    for (const index of indices) await reopened.readChunk(index);
  });
  figures.push({
    name: `write ${codec} chunks`,
    value: mib / write,
    unit: "MiB/s",
    baseline: "plain file write",
    baselineValue: mib / plainWrite,
    ratio: plainWrite / write,
  });
  figures.push({
    name: `read ${codec} chunks`,
    value: mib / read,
    unit: "MiB/s",
    baseline: "plain file read",
    baselineValue: mib / plainRead,
    ratio: plainRead / read,
  });
}

// Blosc (lz4) is read-only for clemreg: time reading a bioformats2raw-style array via zarr-python's writer.
const python = await new Deno.Command("/usr/bin/python3", {
  args: [
    "-c",
    `import zarr, numpy as np, numcodecs, sys
rng = np.random.default_rng(1)
a = (110 + 40*np.sin(np.arange(${shape[0]! * shape[1]! * shape[2]!})/300) + rng.integers(0,16,${
      shape[0]! * shape[1]! * shape[2]!
    })).astype('u1').reshape(${JSON.stringify(shape)})
z = zarr.open(zarr.DirectoryStore(sys.argv[1]+'/0', dimension_separator='/'), mode='w', shape=a.shape, chunks=${
      JSON.stringify(chunks)
    }, dtype='u1', compressor=numcodecs.Blosc(cname='lz4', clevel=5, shuffle=1))
z[...] = a
import json
open(sys.argv[1]+'/.zgroup','w').write(json.dumps({'zarr_format':2}))
open(sys.argv[1]+'/.zattrs','w').write(json.dumps({'multiscales':[{'version':'0.4','axes':[{'name':n,'type':'space'} for n in 'zyx'],'datasets':[{'path':'0','coordinateTransformations':[{'type':'scale','scale':[1,1,1]}]}]}]}))`,
    path.join(folder, "blosc.zarr"),
  ],
  stderr: "piped",
}).output().catch(() => undefined);
if (python?.code === 0) {
  const blosc = await openLevel(await openImage(path.join(folder, "blosc.zarr")), 0);
  const read = await timeIt(async () => {
    for (const index of indices) await blosc.readChunk(index);
  });
  figures.push({
    name: "read blosc-lz4 chunks",
    value: mib / read,
    unit: "MiB/s",
    baseline: "plain file read",
    baselineValue: mib / plainRead,
    ratio: plainRead / read,
  });
} else {
  console.log("python3-zarr not available: blosc read figure skipped");
}

await Deno.remove(folder, { recursive: true });
await writeResults("io", figures);
