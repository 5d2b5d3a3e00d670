/**
 * Parsing of the ImageJ metadata that ImageJ and Fiji write into TIFF tag 270
 * (ImageDescription): hyperstack dimensions and the voxel size's z spacing and unit.
 * @module
 */

/** The hyperstack layout and calibration an ImageJ description declares. */
export interface ImageJDescription {
  /** Total number of images (pages) in the file. */
  images: number;
  channels: number;
  slices: number;
  frames: number;
  /** z spacing in `unit`, when calibrated. */
  spacing: number | undefined;
  /** The unit as ImageJ wrote it (e.g. "micron", "µm", "nm"), when calibrated. */
  unit: string | undefined;
}

/**
 * Parse an ImageJ ImageDescription ("ImageJ=1.51n\nimages=44\nslices=44\n...").
 *
 * @param description The text of TIFF tag 270.
 * @returns The parsed layout, or `undefined` when the text is not ImageJ metadata.
 * @example
 * ```ts
 * const d = parseImageJDescription("ImageJ=1.53\nimages=6\nchannels=2\nslices=3\nspacing=0.2\nunit=micron");
 * // d.channels === 2, d.slices === 3, d.spacing === 0.2
 * ```
 */
export function parseImageJDescription(description: string): ImageJDescription | undefined {
  if (!description.startsWith("ImageJ=")) return undefined;
  const fields = new Map<string, string>();
  for (const line of description.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const positive = (key: string): number | undefined => {
    const value = Number(fields.get(key));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const channels = positive("channels") ?? 1;
  const frames = positive("frames") ?? 1;
  const images = positive("images") ?? 1;
  const slices = positive("slices") ?? Math.max(1, Math.round(images / (channels * frames)));
  const rawUnit = fields.get("unit");
  return {
    images,
    channels,
    slices,
    frames,
    spacing: positive("spacing"),
    // ImageJ escapes µ as "\u00B5" in some versions.
    unit: rawUnit === undefined ? undefined : rawUnit.replace("\\u00B5", "µ"),
  };
}

const UNIT_NAMES: Record<string, string> = {
  "micron": "micrometer",
  "microns": "micrometer",
  "µm": "micrometer",
  "um": "micrometer",
  "μm": "micrometer",
  "micrometer": "micrometer",
  "nm": "nanometer",
  "nanometer": "nanometer",
  "mm": "millimeter",
  "millimeter": "millimeter",
  "cm": "centimeter",
  "m": "meter",
  "meter": "meter",
  "pm": "picometer",
  "Å": "angstrom",
  "angstrom": "angstrom",
};

/**
 * Map a unit as ImageJ or a user writes it ("micron", "µm", "nm") to its NGFF name.
 *
 * @param unit A unit string.
 * @returns The NGFF (UDUNITS-2) name, or `undefined` for unknown or uncalibrated units
 *   such as ImageJ's "pixel".
 */
export function ngffUnitName(unit: string): string | undefined {
  return UNIT_NAMES[unit.trim()] ?? UNIT_NAMES[unit.trim().toLowerCase()];
}
