/**
 * Where an op's journal goes by default: `<output image>/.clemreg-journal/` when the output
 * is an OME-Zarr image on the local file system; otherwise nowhere (in memory, no resume)
 * unless the caller names a folder.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ArrayLocation } from "./types.ts";

/** Name of the journal folder inside an output image. */
export const JOURNAL_FOLDER = ".clemreg-journal";

/**
 * The default journal folder for an op's output.
 * @param output the op's output location, if any
 * @returns a local folder, or undefined when there is no local output to put it beside
 */
export function defaultJournalDir(output: ArrayLocation | undefined): string | undefined {
  if (output?.kind !== "zarr") return undefined;
  const location = output.location;
  if (location.startsWith("file://")) return join(fileURLToPath(location), JOURNAL_FOLDER);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return undefined;
  return join(location, JOURNAL_FOLDER);
}
