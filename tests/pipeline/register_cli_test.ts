/** `deno task register` on bad input: one sentence naming the key or file, exit 2, no stack trace. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { writeImage } from "../../src/io/writer.ts";
import { tempFolder } from "../io/helpers.ts";

const task = fileURLToPath(new URL("../../tasks/register.ts", import.meta.url));

async function runRegister(folder: string, config: string) {
  const file = path.join(folder, "config.yaml");
  await Deno.writeTextFile(file, config);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", task, file, "--quiet"],
  }).output();
  return {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
}

function assertOneSentence(
  result: { code: number; stdout: string; stderr: string },
  pattern: RegExp,
) {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\bat \S+:\d+:\d+/, "no stack trace");
}

Deno.test("register task rejects bad configs and inputs with one sentence and exit 2", async () => {
  await using temp = await tempFolder();
  const um = (name: string) => ({ name, type: "space", unit: "micrometer" });
  await writeImage(path.join(temp.folder, "fm.zarr"), new Uint16Array(2 * 8 * 32 * 32), {
    axes: [{ name: "c", type: "channel" }, um("z"), um("y"), um("x")],
    shape: [2, 8, 32, 32],
    chunks: [1, 8, 32, 32],
    dtype: "uint16",
    scale: [1, 0.13, 0.035, 0.035],
    channelNames: ["mito", "lyso"],
  });
  await writeImage(path.join(temp.folder, "yx.zarr"), new Uint8Array(32 * 32), {
    axes: [um("y"), um("x")],
    shape: [32, 32],
    chunks: [32, 32],
    dtype: "uint8",
    scale: [0.02, 0.02],
  });
  assertOneSentence(
    await runRegister(
      temp.folder,
      "fm: { path: fm.zarr }\nem: { path: em.zarr }\nregistration: { method: rigd }\n",
    ),
    /registration\.method: "rigd" is not one of rigid, affine, nonrigid/,
  );
  assertOneSentence(
    await runRegister(
      temp.folder,
      "fm: { path: fm.zarr, channel: nucleus }\nem: { path: fm.zarr }\n",
    ),
    /fm\.channel: "nucleus" is not a channel of .*fm\.zarr; it has "mito", "lyso"/,
  );
  assertOneSentence(
    await runRegister(temp.folder, "fm: { path: fm.zarr }\nem: { path: missing.zarr }\n"),
    /em\.path: .*missing\.zarr: no such file or folder/,
  );
  assertOneSentence(
    await runRegister(temp.folder, "fm: { path: fm.zarr }\nem: { path: yx.zarr }\n"),
    /em\.path: .*yx\.zarr has axes \[y, x\]; clemreg needs spatial axes z, y and x/,
  );
  // An input inside what register writes: refused before anything is written.
  await Deno.mkdir(path.join(temp.folder, "out", "work"), { recursive: true });
  await Deno.rename(
    path.join(temp.folder, "yx.zarr"),
    path.join(temp.folder, "out", "work", "em.zarr"),
  );
  assertOneSentence(
    await runRegister(
      temp.folder,
      "fm: { path: fm.zarr }\nem: { path: out/work/em.zarr }\noutput: { path: out }\n",
    ),
    /the work folder .*out\/work holds em\.path .*em\.zarr: writing it could overwrite the input/,
  );
  await Deno.rename(
    path.join(temp.folder, "out", "work", "em.zarr"),
    path.join(temp.folder, "yx.zarr"),
  );
  // An FM channel with no signal: the segmentation finds nothing, and says so.
  assertOneSentence(
    await runRegister(
      temp.folder,
      "fm: { path: fm.zarr }\nem: { path: fm.zarr }\noutput: { path: out }\n",
    ),
    /no mitochondria found in FM channel 0 \("mito"\)/,
  );
});

Deno.test("register task names the op, chunk and file of a corrupt input chunk, exit 2", async () => {
  await using temp = await tempFolder();
  const um = (name: string) => ({ name, type: "space", unit: "micrometer" });
  const fm = path.join(temp.folder, "fm.zarr");
  const voxels = Uint16Array.from({ length: 8 * 32 * 32 }, (_, i) => (i * 2654435761) % 4096);
  await writeImage(fm, voxels, {
    axes: [um("z"), um("y"), um("x")],
    shape: [8, 32, 32],
    chunks: [8, 16, 16],
    dtype: "uint16",
    scale: [0.13, 0.035, 0.035],
    codec: "zstd",
  });
  const chunkFile = path.join(fm, "0", "c", "0", "1", "0");
  await Deno.stat(chunkFile); // the chunk exists before it is spoiled
  await Deno.writeFile(chunkFile, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  assertOneSentence(
    await runRegister(temp.folder, "fm: { path: fm.zarr }\nem: { path: fm.zarr }\n"),
    /Chunk \[0, 1, 0\] of "[^"]+" failed after 3 attempts: .*fm\.zarr\/0: cannot read chunk \[0, 1, 0\]/,
  );
});
