/**
 * Validation of the `multiscales` metadata shared by NGFF 0.4 and 0.5: axes,
 * datasets and their scale/translation (dataset and multiscale level composed).
 * @module
 */
import { OmeZarrError } from "./errors.ts";
import type { Axis } from "./image.ts";

/** A validated multiscale description. */
export interface Multiscale {
  axes: Axis[];
  datasets: { path: string; scale: number[]; translation: number[] }[];
  name: string | undefined;
}

type Transform = { type?: unknown; scale?: unknown; translation?: unknown };

/**
 * Validate `ome.multiscales[0]` and compose its transformations.
 * @throws {OmeZarrError} naming the offending key
 */
export function parseMultiscale(location: string, ome: Record<string, unknown>): Multiscale {
  const invalid = (message: string) => new OmeZarrError("invalid-metadata", location, message);
  const multiscales = ome.multiscales;
  if (!Array.isArray(multiscales)) throw invalid('has no "multiscales" list');
  if (multiscales.length === 0) throw invalid('"multiscales" is empty; expected one image');
  const first = multiscales[0] as Record<string, unknown>;
  const rawAxes = first.axes;
  if (!Array.isArray(rawAxes) || rawAxes.length < 2 || rawAxes.length > 5) {
    throw invalid('"multiscales[0].axes" must list 2 to 5 axes');
  }
  const axes: Axis[] = rawAxes.map((raw, index) => {
    if (typeof raw === "string") return { name: raw };
    if (typeof raw !== "object" || raw === null || typeof raw.name !== "string") {
      throw invalid(`"multiscales[0].axes[${index}]" must be an object with a "name"`);
    }
    const axis: Axis = { name: raw.name };
    if (typeof raw.type === "string") axis.type = raw.type;
    if (typeof raw.unit === "string") axis.unit = raw.unit;
    return axis;
  });
  const names = new Set(axes.map((a) => a.name));
  if (names.size !== axes.length) throw invalid('"multiscales[0].axes" has duplicate names');
  const rank = axes.length;
  const global = composeTransforms(
    first.coordinateTransformations,
    rank,
    "multiscales[0]",
    invalid,
  );
  const rawDatasets = first.datasets;
  if (!Array.isArray(rawDatasets) || rawDatasets.length === 0) {
    throw invalid('"multiscales[0].datasets" is empty; expected at least one level');
  }
  const datasets = rawDatasets.map((raw: Record<string, unknown>, index) => {
    const where = `multiscales[0].datasets[${index}]`;
    if (typeof raw?.path !== "string" || raw.path.length === 0) {
      throw invalid(`"${where}.path" must be a non-empty string`);
    }
    const own = composeTransforms(raw.coordinateTransformations, rank, where, invalid);
    if (!own.hasScale) throw invalid(`"${where}.coordinateTransformations" has no scale`);
    const scale = own.scale.map((s, axis) => s * (global.scale[axis] ?? 1));
    const translation = own.translation.map((t, axis) =>
      t * (global.scale[axis] ?? 1) + (global.translation[axis] ?? 0)
    );
    return { path: raw.path, scale, translation };
  });
  const name = typeof first.name === "string" ? first.name : undefined;
  return { axes, datasets, name };
}

function composeTransforms(
  raw: unknown,
  rank: number,
  where: string,
  invalid: (message: string) => OmeZarrError,
): { scale: number[]; translation: number[]; hasScale: boolean } {
  const scale = new Array<number>(rank).fill(1);
  const translation = new Array<number>(rank).fill(0);
  let hasScale = false;
  if (raw === undefined) return { scale, translation, hasScale };
  if (!Array.isArray(raw)) throw invalid(`"${where}.coordinateTransformations" must be a list`);
  for (const [index, transform] of (raw as Transform[]).entries()) {
    const vector = (value: unknown, key: string) => {
      if (
        !Array.isArray(value) || value.length !== rank ||
        !value.every((v) => typeof v === "number" && Number.isFinite(v))
      ) {
        throw invalid(
          `"${where}.coordinateTransformations[${index}].${key}" must be ${rank} finite numbers, one per axis`,
        );
      }
      return value as number[];
    };
    if (transform.type === "scale") {
      vector(transform.scale, "scale").forEach((s, axis) => scale[axis] = (scale[axis] ?? 1) * s);
      hasScale = true;
    } else if (transform.type === "translation") {
      vector(transform.translation, "translation").forEach((t, axis) =>
        translation[axis] = (translation[axis] ?? 0) + t
      );
    } else if (transform.type !== "identity") {
      throw invalid(
        `"${where}.coordinateTransformations[${index}].type" is ${
          JSON.stringify(transform.type)
        }; expected "scale", "translation" or "identity"`,
      );
    }
  }
  return { scale, translation, hasScale };
}
