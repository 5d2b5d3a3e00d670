import assert from "node:assert/strict";
import {
  formatPointsCsv,
  loadTransform,
  parsePointsText,
  sampleSurfaceCloud,
  transformPointsAffine,
} from "../../src/cpd/mod.ts";
import { rotationErrorDeg, similarity } from "./fixtures.ts";

const root = new URL("../../", import.meta.url).pathname;

async function run(script: string, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", `${root}tasks/${script}`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("tasks/cpd.ts and tasks/transform_points.ts register and map point files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const truth = similarity([1, 0, 1], 120, 2, [10, 20, 30]);
    const moving = sampleSurfaceCloud(500, 1, { noise: 0.01 });
    const fixed = transformPointsAffine(truth, sampleSurfaceCloud(550, 2, { noise: 0.01 }));
    // moving was sampled in the shape frame: truth maps it onto fixed
    await Deno.writeTextFile(`${dir}/m.txt`, formatPointsCsv(moving).replaceAll(",", " "));
    await Deno.writeTextFile(`${dir}/f.csv`, formatPointsCsv(fixed));
    const fit = await run("cpd.ts", [
      "--moving",
      `${dir}/m.txt`,
      "--fixed",
      `${dir}/f.csv`,
      "--method",
      "rigid",
      "--w",
      "0.1",
      "--workers",
      "2",
      "--scale",
      "true",
      "--out",
      `${dir}/T.json`,
    ]);
    assert.equal(fit.code, 0, fit.err);
    const saved = JSON.parse(await Deno.readTextFile(`${dir}/T.json`));
    assert.equal(saved.diagnostics.converged, true);
    const matrix = loadTransform(saved).matrix;
    const angle = rotationErrorDeg(matrix, truth);
    assert.ok(
      angle < 3, // 500 points: this checks the plumbing, not the accuracy
      `rotation error ${angle}°`,
    );
    const mapped = await run("transform_points.ts", [
      "--transform",
      `${dir}/T.json`,
      "--points",
      `${dir}/m.txt`,
      "--out",
      `${dir}/q.csv`,
    ]);
    assert.equal(mapped.code, 0, mapped.err);
    const q = parsePointsText(await Deno.readTextFile(`${dir}/q.csv`), "q.csv");
    assert.deepEqual(q, transformPointsAffine(matrix, moving));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tasks/cpd.ts answers bad input with one sentence and exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.csv`, "1,2,3\n4,x,6\n");
    await Deno.writeTextFile(`${dir}/ok.csv`, "1,2,3\n4,5,6\n7,8,10\n");
    const cases: [string[], string][] = [
      [["--moving", `${dir}/none.csv`, "--fixed", `${dir}/ok.csv`, "--out", "o"], "--moving"],
      [["--moving", `${dir}/bad.csv`, "--fixed", `${dir}/ok.csv`, "--out", "o"], "line 2"],
      [
        ["--moving", `${dir}/ok.csv`, "--fixed", `${dir}/ok.csv`, "--w", "1.5", "--out", "o"],
        "--w",
      ],
      [
        ["--moving", `${dir}/ok.csv`, "--fixed", `${dir}/ok.csv`, "--method", "x", "--out", "o"],
        "--method",
      ],
      [["--fixed", `${dir}/ok.csv`, "--out", "o"], "--moving"],
    ];
    for (const [args, mention] of cases) {
      const { code, err } = await run("cpd.ts", args);
      assert.equal(code, 2, err);
      assert.ok(err.includes(mention), err);
      assert.equal(err.trim().split("\n").length, 1, err);
      assert.ok(!err.includes("    at "), err);
    }
    const { code, err } = await run("transform_points.ts", [
      "--transform",
      `${dir}/ok.csv`,
      "--points",
      `${dir}/ok.csv`,
      "--out",
      `${dir}/q.csv`,
    ]);
    assert.equal(code, 2);
    assert.ok(err.includes("--transform"), err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
