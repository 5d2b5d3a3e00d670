/**
 * Guards against an output that would overwrite an input: `segment-fm fm.zarr fm.zarr` once
 * replaced the input's metadata with the labels image's before failing. Local paths are compared
 * resolved; URLs (`s3://`, `http(s)://`, `file://`) as written, without trailing slashes.
 * @module
 */
import { resolve } from "node:path";

/** A path with what it is, for the message (e.g. `fm.path` or `IN.zarr`). */
export interface NamedPath {
  label: string;
  path: string;
}

function normalise(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path.replace(/\/+$/, "");
  return resolve(path);
}

function isInside(inner: string, outer: string): boolean {
  return inner.startsWith(outer.endsWith("/") ? outer : `${outer}/`);
}

/**
 * Why `writes` would damage `reads`, or `null` when they are apart. A write may not be a read,
 * nor hold one, nor lie inside one, except under a read image's `labels/` group (where NGFF keeps
 * label images).
 * @param writes what a command creates or overwrites
 * @param reads what it reads
 * @returns one sentence naming both paths, or null
 * @example
 * ```ts
 * overlapOf([{ label: "OUT.zarr", path: "a.zarr" }], [{ label: "IN.zarr", path: "a.zarr" }]);
 * // 'OUT.zarr a.zarr is IN.zarr: writing it would overwrite the input'
 * ```
 */
export function overlapOf(
  writes: readonly NamedPath[],
  reads: readonly NamedPath[],
): string | null {
  for (const write of writes) {
    const w = normalise(write.path);
    for (const read of reads) {
      const r = normalise(read.path);
      if (w === r) {
        return `${write.label} ${write.path} is ${read.label}: writing it would overwrite the input`;
      }
      if (isInside(r, w)) {
        return `${write.label} ${write.path} holds ${read.label} ${read.path}: writing it could overwrite the input`;
      }
      if (isInside(w, r) && !isInside(w, `${r}/labels`)) {
        return `${write.label} ${write.path} lies inside ${read.label} ${read.path}; ` +
          `write it elsewhere (or under ${read.path}/labels/)`;
      }
    }
  }
  return null;
}
