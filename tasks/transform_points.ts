/**
 * `deno task transform-points --transform T.json --points P --out Q`: maps points through a
 * transform saved by `deno task cpd` and writes them as CSV (`x,y,z` header).
 * Bad input: one sentence on stderr, exit code 2.
 * @module
 */
import { parseArgs } from "node:util";
import { applyTransform, formatPointsCsv, loadTransform, parsePointsText } from "../src/cpd/mod.ts";
import { runCli, UsageError } from "./cli.ts";

async function main(args: string[]): Promise<void> {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        transform: { type: "string" },
        points: { type: "string" },
        out: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}.`);
  }
  for (const required of ["transform", "points", "out"]) {
    if (!values[required]) throw new UsageError(`--${required} is required.`);
  }
  const read = async (flag: string) => {
    try {
      return await Deno.readTextFile(values[flag]!);
    } catch (error) {
      throw new UsageError(
        `Cannot read --${flag} file ${values[flag]}: ${(error as Error).message}.`,
      );
    }
  };
  let transform;
  try {
    transform = loadTransform(JSON.parse(await read("transform")));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${(error as Error).message} (--transform ${values.transform}).`);
  }
  let points;
  try {
    points = parsePointsText(await read("points"), values.points!);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${(error as Error).message} (--points).`);
  }
  const mapped = applyTransform(transform, points);
  try {
    await Deno.writeTextFile(values.out!, formatPointsCsv(mapped));
  } catch (error) {
    throw new UsageError(`Cannot write --out file ${values.out}: ${(error as Error).message}.`);
  }
  console.log(`${mapped.length / 3} points → ${values.out}`);
}

if (import.meta.main) await runCli(() => main(Deno.args));
