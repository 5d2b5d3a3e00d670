/**
 * A job as a small graph: ops run in the order given, an op's params may reference the
 * result of an earlier op (`{ $ref: "stepId", path: ["offsets"] }`), and an op reading
 * an earlier op's output inherits that op's id in its own (so resume never mixes configs).
 * @module
 */
import { locationIdentity, stableStringify } from "./ops.ts";
import { createWorkerPool } from "./pool.ts";
import { runOp } from "./scheduler.ts";
import type { OpResult, RunOptions } from "./scheduler.ts";
import type { Json, OpSpec } from "./types.ts";

/** One step of a job graph. */
export interface GraphStep {
  /** Unique step id, used by `$ref`. */
  id: string;
  op: OpSpec;
}

/**
 * Run the steps of a job in order, sharing one worker pool.
 * @param steps ops with ids; params may hold `{ $ref: id, path?: string[] }`
 * @param options as for `runOp` (the executor, if given, is shared and left open)
 * @returns each step's result by id
 * @throws {ReferenceError} when a `$ref` names an unknown or later step, or a missing path
 * @example
 * ```ts ignore
 * const results = await runGraph([
 *   { id: "stats", op: reduce({ name: "stats", kernel: sumKernel, merge: sumMerge, inputs: [raw] }) },
 *   { id: "norm", op: map({ name: "norm", kernel: scale, inputs: [raw], output: out,
 *       params: { mean: { $ref: "stats", path: ["mean"] } } }) },
 * ]);
 * ```
 */
export async function runGraph(
  steps: GraphStep[],
  options: RunOptions = {},
): Promise<Map<string, OpResult>> {
  const results = new Map<string, OpResult>();
  const producers = new Map<string, string>();
  const executor = options.executor ?? createWorkerPool(
    options.workers !== undefined ? { size: options.workers } : {},
  );
  try {
    for (const step of steps) {
      if (results.has(step.id)) throw new ReferenceError(`Step id "${step.id}" is used twice`);
      const op: OpSpec = { ...step.op, params: resolveRefs(step.op.params, results, step.id) };
      const upstreamIds = op.inputs
        .map((input) => producers.get(stableStringify(locationIdentity(input))))
        .filter((id): id is string => id !== undefined);
      const result = await runOp(op, {
        ...options,
        executor,
        upstreamIds: [...(options.upstreamIds ?? []), ...upstreamIds],
      });
      results.set(step.id, result);
      if (op.output) producers.set(stableStringify(locationIdentity(op.output)), result.opId);
    }
  } finally {
    if (!options.executor) await executor.close();
  }
  return results;
}

/**
 * Replace every `{ $ref, path }` in params by the referenced step's result (typed arrays
 * become plain arrays so params stay JSON).
 */
export function resolveRefs(params: Json, results: Map<string, OpResult>, stepId: string): Json {
  if (Array.isArray(params)) return params.map((p) => resolveRefs(p, results, stepId));
  if (params === null || typeof params !== "object") return params;
  if (typeof params.$ref === "string") {
    const source = results.get(params.$ref);
    if (!source) {
      throw new ReferenceError(
        `Cannot resolve $ref "${params.$ref}" in step "${stepId}": no earlier step has that id`,
      );
    }
    let value: unknown = source.result;
    const path = Array.isArray(params.path) ? params.path : [];
    for (const key of path) {
      if (value === null || typeof value !== "object" || !(String(key) in value)) {
        throw new ReferenceError(
          `Cannot resolve $ref "${params.$ref}" path [${path.join(", ")}] in step "${stepId}"`,
        );
      }
      value = (value as Record<string, unknown>)[String(key)];
    }
    return toJson(value);
  }
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(params)) out[key] = resolveRefs(value, results, stepId);
  return out;
}

function toJson(value: unknown): Json {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  if (value === undefined) return null;
  return value as Json;
}
