/**
 * Point clouds on disk for inspection and for `deno task cpd`: CSV with a `z,y,x` header
 * (micrometres) and ASCII PLY (x, y, z properties, as viewers expect).
 * @module
 */

/**
 * Write points as CSV (`z,y,x` header, one point per line, µm).
 * @param path file to write
 * @param points flat (z, y, x) triples in µm
 */
export async function writePointsCsv(path: string, points: Float64Array): Promise<void> {
  const lines = ["z,y,x"];
  for (let i = 0; i < points.length; i += 3) {
    lines.push(`${fmt(points[i]!)},${fmt(points[i + 1]!)},${fmt(points[i + 2]!)}`);
  }
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/**
 * Write points as ASCII PLY (vertex properties x, y, z in µm).
 * @param path file to write
 * @param points flat (z, y, x) triples in µm
 */
export async function writePointsPly(path: string, points: Float64Array): Promise<void> {
  const n = points.length / 3;
  const lines = [
    "ply",
    "format ascii 1.0",
    "comment clemreg point cloud, micrometre units",
    `element vertex ${n}`,
    "property double x",
    "property double y",
    "property double z",
    "end_header",
  ];
  for (let i = 0; i < points.length; i += 3) {
    lines.push(`${fmt(points[i + 2]!)} ${fmt(points[i + 1]!)} ${fmt(points[i]!)}`);
  }
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/**
 * Read a `z,y,x` CSV written by {@link writePointsCsv}.
 * @param path the file
 * @returns flat (z, y, x) triples
 * @throws {SyntaxError} when the header or a line is malformed
 */
export async function readPointsCsv(path: string): Promise<Float64Array> {
  const lines = (await Deno.readTextFile(path)).split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0]?.replace(/\s/g, "") !== "z,y,x") {
    throw new SyntaxError(`Cannot read ${path}: expected the header "z,y,x", got "${lines[0]}"`);
  }
  const out = new Float64Array(3 * (lines.length - 1));
  for (let i = 1; i < lines.length; i++) {
    const values = lines[i]!.split(",").map(Number);
    if (values.length !== 3 || values.some((v) => !Number.isFinite(v))) {
      throw new SyntaxError(`Cannot read ${path}: line ${i + 1} is not three numbers`);
    }
    out.set(values, 3 * (i - 1));
  }
  return out;
}

function fmt(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}
