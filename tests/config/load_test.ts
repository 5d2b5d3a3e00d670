/** Config validation: defaults, path resolution, and messages that name key, value and expectation. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/load.ts";

Deno.test("parseConfig() fills CLEM-Reg-style defaults and resolves paths against the config folder", () => {
  const config = parseConfig(
    { fm: { path: "fm.zarr" }, em: { path: "/data/em.zarr", labels: "l.zarr" } },
    { baseDir: "/work/run" },
  );
  assert.equal(config.fm.path, "/work/run/fm.zarr");
  assert.equal(config.em.path, "/data/em.zarr");
  assert.equal(config.em.labels, "/work/run/l.zarr");
  assert.equal(config.output.path, "/work/run/out");
  assert.equal(config.fm.channel, 0);
  assert.equal(config.registration.method, "rigid");
  assert.equal(config.segmentation.fm.thresholdFactor, 1.2);
  assert.equal(config.segmentation.em.minVoxels, 500);
  assert.equal(config.output.level, "auto");
  const remote = parseConfig({ fm: { path: "s3://b/fm.zarr" }, em: { path: "https://h/em.zarr" } });
  assert.equal(remote.fm.path, "s3://b/fm.zarr");
  assert.equal(remote.em.path, "https://h/em.zarr");
});

Deno.test("parseConfig() names the key path, the bad value and what is expected", () => {
  const problems = (raw: unknown) => {
    try {
      parseConfig(raw, { file: "c.yaml" });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
    assert.fail("expected a ConfigError");
  };
  assert.deepEqual(
    problems({ fm: { path: "a" }, em: { path: "b" }, registration: { method: "rigd" } }),
    ['registration.method: "rigd" is not one of rigid, affine, nonrigid'],
  );
  assert.deepEqual(problems({ em: { path: "b" } }), ["fm: is missing; expected object"]);
  assert.deepEqual(
    problems({ fm: { path: "a", chanel: 1 }, em: { path: "b" } }),
    ["fm.chanel: unknown key (check its spelling against the README's config reference)"],
  );
  assert.deepEqual(
    problems({ fm: { path: "a", channel: -1 }, em: { path: "b" } }),
    ["fm.channel: -1 is too small; expected ≥ 0"],
  );
  assert.deepEqual(
    problems({ fm: { path: "a" }, em: { path: "b" }, registration: { w: 1.5 } }),
    ["registration.w: 1.5 is too large; expected < 1"],
  );
  assert.deepEqual(problems([1, 2]), ["expected a mapping with at least the keys fm, em"]);
});

Deno.test("loadConfig() reports a missing file and invalid YAML with the file name", async () => {
  await assert.rejects(loadConfig("/nonexistent/c.yaml"), /\/nonexistent\/c\.yaml: no such file/);
  const folder = await Deno.makeTempDir();
  try {
    const file = path.join(folder, "bad.yaml");
    await Deno.writeTextFile(file, "fm: [unclosed\n");
    await assert.rejects(loadConfig(file), /bad\.yaml: is not valid YAML/);
    await Deno.writeTextFile(file, "fm: { path: fm.zarr }\nem: { path: em.zarr }\n");
    assert.equal((await loadConfig(file)).fm.path, path.join(folder, "fm.zarr"));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
