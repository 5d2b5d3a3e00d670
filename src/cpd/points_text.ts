/**
 * Point files for the CPD tasks: CSV or whitespace-separated text, one point per line, the
 * first three columns as x y z, an optional header line, `#` comments ignored.
 * @module
 */

/**
 * Parse a point file's text.
 * @param text file contents
 * @param source name used in error messages (the file path)
 * @returns interleaved xyz (stride 3)
 * @throws {SyntaxError} naming the source and line when a line is not three numbers
 * @example
 * ```ts
 * import { parsePointsText } from "./points_text.ts";
 * parsePointsText("x,y,z\n1,2,3\n4,5,6\n", "a.csv"); // Float64Array [1, 2, 3, 4, 5, 6]
 * ```
 */
export function parsePointsText(text: string, source: string): Float64Array {
  const values: number[] = [];
  const lines = text.split(/\r?\n/);
  let seenData = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/[\s,;]+/).filter((f) => f !== "");
    const numbers = fields.map(Number);
    const numeric = fields.length >= 3 && numbers.slice(0, 3).every(Number.isFinite);
    if (!numeric) {
      if (!seenData && values.length === 0 && !fields.slice(0, 3).some((f) => isNumber(f))) {
        seenData = true; // a header line
        continue;
      }
      throw new SyntaxError(
        `Cannot read points from ${source}: line ${i + 1} is not three numbers ("${
          line.slice(0, 60)
        }")`,
      );
    }
    seenData = true;
    values.push(numbers[0]!, numbers[1]!, numbers[2]!);
  }
  if (values.length === 0) throw new SyntaxError(`Cannot read points from ${source}: no points`);
  return Float64Array.from(values);
}

/**
 * Format interleaved xyz points as CSV with an `x,y,z` header.
 * @param points interleaved xyz
 * @returns CSV text
 */
export function formatPointsCsv(points: Float64Array): string {
  const lines = ["x,y,z"];
  for (let i = 0; i < points.length; i += 3) {
    lines.push(`${points[i]},${points[i + 1]},${points[i + 2]}`);
  }
  return lines.join("\n") + "\n";
}

function isNumber(field: string): boolean {
  return field.trim() !== "" && Number.isFinite(Number(field));
}
