/**
 * Whole-stage resume: `work/state.json` records each finished stage with a hash of
 * the config it ran with and its small result, so a rerun of the same config skips it
 * (chunk-level resume inside a stage is the chunked core's journal).
 * @module
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { stableStringify } from "../chunked/ops.ts";

/** Finished stages of one output folder. */
export class StageState {
  readonly file: string;
  /** Stages this run skipped because they had already finished with the same inputs. */
  readonly reused: string[] = [];
  readonly #stages: Record<string, { key: string; result: unknown }>;

  private constructor(file: string, stages: Record<string, { key: string; result: unknown }>) {
    this.file = file;
    this.#stages = stages;
  }

  /** Load (or start) the state file. */
  static async open(file: string): Promise<StageState> {
    try {
      const parsed = JSON.parse(await Deno.readTextFile(file));
      return new StageState(file, typeof parsed === "object" && parsed ? parsed : {});
    } catch {
      return new StageState(file, {});
    }
  }

  /** The stored result of `stage`, if it finished with inputs hashing to the same key. */
  get<T>(stage: string, inputs: unknown): T | undefined {
    const entry = this.#stages[stage];
    return entry && entry.key === keyOf(inputs) ? entry.result as T : undefined;
  }

  /** Record `stage` as finished (written atomically). */
  async set(stage: string, inputs: unknown, result: unknown): Promise<void> {
    this.#stages[stage] = { key: keyOf(inputs), result };
    await Deno.mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${Deno.pid}.tmp`;
    await Deno.writeTextFile(temp, JSON.stringify(this.#stages, null, 1));
    await Deno.rename(temp, this.file);
  }

  /**
   * Run `compute` unless `stage` already finished with the same inputs.
   * @returns the stored or new result and whether it was reused
   */
  async run<T>(stage: string, inputs: unknown, compute: () => Promise<T>): Promise<[T, boolean]> {
    const stored = this.get<T>(stage, inputs);
    if (stored !== undefined) {
      this.reused.push(stage);
      return [stored, true];
    }
    const result = await compute();
    await this.set(stage, inputs, result);
    return [result, false];
  }
}

function keyOf(inputs: unknown): string {
  return createHash("sha256").update(stableStringify(inputs)).digest("hex").slice(0, 24);
}
