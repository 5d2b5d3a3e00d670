/**
 * `deno task cpd --moving A --fixed B --method rigid|affine|nonrigid [--w 0.1]
 * [--scale true|false] [--beta 2] [--lambda 2] [--low-rank K] [--max-iterations N]
 * [--tolerance T] [--multi-start true|false] [--seed S] [--workers W] --out T.json`
 *
 * Registers the moving points onto the fixed points with CPD and writes T.json (see
 * `src/cpd/transform_io.ts`). `--workers W` (W ≥ 2) splits large E-steps over W Web Workers.
 * Bad input: one sentence on stderr, exit code 2.
 * @module
 */
import { parseArgs } from "node:util";
import {
  cpd,
  type CpdMethod,
  cpdParallel,
  parsePointsText,
  transformToJson,
} from "../src/cpd/mod.ts";
import { runCli, UsageError } from "./cli.ts";

function numberFlag(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value)) {
    throw new UsageError(`--${name} must be a number, got "${String(raw)}".`);
  }
  return value;
}

function booleanFlag(values: Record<string, unknown>, name: string): boolean | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new UsageError(`--${name} must be true or false, got "${String(raw)}".`);
}

async function readPoints(path: string, flag: string): Promise<Float64Array> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`Cannot read --${flag} file ${path}: ${(error as Error).message}.`);
  }
  try {
    return parsePointsText(text, path);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (--${flag}).`);
  }
}

async function main(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(
        [
          "moving",
          "fixed",
          "method",
          "w",
          "scale",
          "beta",
          "lambda",
          "low-rank",
          "max-iterations",
          "tolerance",
          "multi-start",
          "seed",
          "workers",
          "out",
        ].map((name) => [name, { type: "string" as const }]),
      ),
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}.`);
  }
  const v = parsed.values as Record<string, string | undefined>;
  for (const required of ["moving", "fixed", "out"]) {
    if (!v[required]) throw new UsageError(`--${required} is required.`);
  }
  const method = (v.method ?? "rigid") as CpdMethod;
  if (!["rigid", "affine", "nonrigid"].includes(method)) {
    throw new UsageError(`--method must be rigid, affine or nonrigid, got "${v.method}".`);
  }
  const w = numberFlag(v, "w");
  if (w !== undefined && !(w >= 0 && w < 1)) {
    throw new UsageError(`--w must be in [0, 1), got ${w}.`);
  }
  const maxIterations = numberFlag(v, "max-iterations");
  if (maxIterations !== undefined && !(Number.isInteger(maxIterations) && maxIterations >= 0)) {
    throw new UsageError(`--max-iterations must be a whole number ≥ 0, got ${maxIterations}.`);
  }
  for (const name of ["beta", "lambda", "tolerance", "low-rank"]) {
    const value = numberFlag(v, name);
    if (value !== undefined && !(value > 0)) {
      throw new UsageError(`--${name} must be > 0, got ${value}.`);
    }
  }
  const workers = numberFlag(v, "workers");
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
    throw new UsageError(`--workers must be a whole number ≥ 1, got ${workers}.`);
  }
  const moving = await readPoints(v.moving!, "moving");
  const fixed = await readPoints(v.fixed!, "fixed");
  const options = {
    method,
    ...(w !== undefined ? { w } : {}),
    ...(booleanFlag(v, "scale") !== undefined ? { scale: booleanFlag(v, "scale")! } : {}),
    ...(numberFlag(v, "beta") !== undefined ? { beta: numberFlag(v, "beta")! } : {}),
    ...(numberFlag(v, "lambda") !== undefined ? { lambda: numberFlag(v, "lambda")! } : {}),
    ...(numberFlag(v, "low-rank") !== undefined
      ? { lowRank: Math.round(numberFlag(v, "low-rank")!) }
      : {}),
    ...(maxIterations !== undefined ? { maxIterations } : {}),
    ...(numberFlag(v, "tolerance") !== undefined ? { tolerance: numberFlag(v, "tolerance")! } : {}),
    ...(booleanFlag(v, "multi-start") !== undefined
      ? { multiStart: booleanFlag(v, "multi-start")! }
      : {}),
    ...(numberFlag(v, "seed") !== undefined ? { seed: numberFlag(v, "seed")! } : {}),
  };
  const result = workers !== undefined && workers > 1
    ? await cpdParallel(moving, fixed, { ...options, workers })
    : cpd(moving, fixed, options);
  const json = transformToJson(result);
  try {
    await Deno.writeTextFile(v.out!, JSON.stringify(json, null, 1) + "\n");
  } catch (error) {
    throw new UsageError(`Cannot write --out file ${v.out}: ${(error as Error).message}.`);
  }
  console.log(
    `${method} CPD: ${result.iterations} iterations, ${
      result.converged ? "converged" : "NOT converged"
    }, σ² = ${result.sigma2.toPrecision(4)}, ${result.timeMs.toFixed(0)} ms → ${v.out}`,
  );
}

if (import.meta.main) await runCli(() => main(Deno.args));
