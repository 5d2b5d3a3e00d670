/**
 * NGFF space units and their conversion to micrometers, clemreg's internal unit.
 * @module
 */

const micrometersPer: Record<string, number> = {
  angstrom: 1e-4,
  attometer: 1e-12,
  centimeter: 1e4,
  decimeter: 1e5,
  exameter: 1e24,
  femtometer: 1e-9,
  foot: 304800,
  gigameter: 1e15,
  hectometer: 1e8,
  inch: 25400,
  kilometer: 1e9,
  megameter: 1e12,
  meter: 1e6,
  micrometer: 1,
  mile: 1.609344e9,
  millimeter: 1e3,
  nanometer: 1e-3,
  parsec: 3.0857e22,
  petameter: 1e21,
  picometer: 1e-6,
  terameter: 1e18,
  yard: 914400,
  yoctometer: 1e-18,
  yottameter: 1e30,
  zeptometer: 1e-15,
  zettameter: 1e27,
};

const aliases: Record<string, string> = {
  um: "micrometer",
  "µm": "micrometer",
  micron: "micrometer",
  microns: "micrometer",
  nm: "nanometer",
  mm: "millimeter",
  m: "meter",
  pixel: "pixel",
};

/** The NGFF space unit names clemreg knows. */
export const spaceUnits: readonly string[] = Object.keys(micrometersPer);

/** The canonical NGFF name of a unit (accepts `nm`, `um`, `µm`, `micron`). */
export function canonicalUnit(unit: string): string {
  const lower = unit.trim().toLowerCase();
  return aliases[lower] ?? lower;
}

/**
 * How many micrometers one `unit` is, or `undefined` for an unknown unit.
 * @param unit an NGFF unit name such as `nanometer`
 * @returns the factor to micrometers
 * @example
 * ```ts
 * import { micrometersPerUnit } from "./units.ts";
 * console.log(micrometersPerUnit("nanometer")); // 0.001
 * ```
 */
export function micrometersPerUnit(unit: string): number | undefined {
  return micrometersPer[canonicalUnit(unit)];
}
