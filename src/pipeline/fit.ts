/**
 * The registration stage: CPD of the FM cloud (moving) onto the EM cloud (fixed),
 * multi-start rigid, then affine from the rigid result, then non-rigid from the affine,
 * as far as `registration.method` asks. A fit that did not converge is reported in
 * the diagnostics (and logged), not hidden.
 * @module
 */
import { createHash } from "node:crypto";
import { cpd } from "../cpd/cpd.ts";
import type { CpdResult } from "../cpd/types.ts";
import type { Config } from "../config/schema.ts";
import type { StageState } from "./stage_state.ts";
import { type TransformFile, transformFile } from "./transform_file.ts";

function summary(result: CpdResult): Record<string, unknown> {
  return {
    converged: result.converged,
    iterations: result.iterations,
    sigma2: result.sigma2,
    ...(result.scale !== undefined ? { scale: result.scale } : {}),
    timeMs: Math.round(result.timeMs),
    finalLogLikelihood: result.logLikelihood.at(-1) ?? null,
    ...(result.multiStart ? { multiStart: result.multiStart } : {}),
  };
}

function digest(points: Float64Array): string {
  return createHash("sha256").update(
    new Uint8Array(points.buffer, points.byteOffset, points.byteLength),
  )
    .digest("hex").slice(0, 16);
}

/**
 * Fit FM → EM (from scratch with the multi-start search, or refined from `refine.initial`).
 * @param fm FM cloud (z, y, x µm, flat)
 * @param em EM cloud
 * @param config the registration options
 * @returns the transform file content
 */
export async function fitTransform(
  fm: Float64Array,
  em: Float64Array,
  config: Config,
  state: StageState,
  log: (line: string) => void,
  signal?: AbortSignal,
  refine?: { stage: string; initial: ArrayLike<number> },
): Promise<TransformFile> {
  const options = config.registration;
  const [transform] = await state.run(
    refine?.stage ?? "cpd",
    {
      fm: digest(fm),
      em: digest(em),
      registration: options,
      initial: Array.from(refine?.initial ?? []),
    },
    () => {
      const common = {
        w: options.w,
        maxIterations: options.maxIterations,
        tolerance: options.tolerance,
        ...(signal ? { signal } : {}),
      };
      const diagnostics: Record<string, unknown> = {
        fmPoints: fm.length / 3,
        emPoints: em.length / 3,
      };
      let result = cpd(fm, em, {
        ...common,
        method: "rigid",
        scale: options.scale,
        ...(refine
          ? { initial: Float64Array.from(refine.initial), multiStart: false }
          : { multiStart: options.multiStart }),
      });
      diagnostics.rigid = summary(result);
      if (options.method !== "rigid") {
        result = cpd(fm, em, {
          ...common,
          method: "affine",
          initial: result.matrix,
          multiStart: false,
        });
        diagnostics.affine = summary(result);
      }
      if (options.method === "nonrigid") {
        result = cpd(fm, em, {
          ...common,
          method: "nonrigid",
          initial: result.matrix,
          multiStart: false,
          beta: options.beta,
          lambda: options.lambda,
        });
        diagnostics.nonrigid = summary(result);
      }
      for (const step of ["rigid", "affine", "nonrigid"]) {
        const d = diagnostics[step] as { converged?: boolean; iterations?: number } | undefined;
        if (d && !d.converged) {
          log(
            `[clemreg] warning: ${step} CPD did not converge in ${d.iterations} iterations (registration.maxIterations); the result is kept and reported`,
          );
        }
      }
      return Promise.resolve(
        transformFile(result.matrix, options.method, diagnostics, result.deformation?.toJSON()),
      );
    },
  );
  return transform;
}
