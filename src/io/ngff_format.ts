/**
 * One format object per NGFF version: where the OME attributes live, how the group
 * metadata is written, and which Zarr format the arrays use.
 * @module
 */
import type { Store } from "./store.ts";
import { joinKey } from "./store.ts";

/** What a format object knows about its NGFF version. */
export interface NgffFormat {
  readonly version: "0.4" | "0.5";
  readonly zarrFormat: 2 | 3;
  /** Whether the group's stored documents are this version. */
  matches(documents: GroupDocuments): boolean;
  /** The OME attributes (`multiscales`, `omero`, ...) of a matching group. */
  omeAttributes(documents: GroupDocuments): Record<string, unknown>;
  /** The documents that store a group with these OME attributes. */
  groupFiles(ome: Record<string, unknown>): { file: string; document: unknown }[];
}

/** The raw metadata documents found at a group's location. */
export interface GroupDocuments {
  zarrJson: Record<string, unknown> | undefined;
  zattrs: Record<string, unknown> | undefined;
  zgroup: Record<string, unknown> | undefined;
}

const decoder = new TextDecoder();

async function readJson(
  store: Store,
  key: `/${string}`,
): Promise<Record<string, unknown> | undefined> {
  const bytes = await store.get(key);
  if (bytes === undefined) return undefined;
  const parsed: unknown = JSON.parse(decoder.decode(bytes));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SyntaxError(`${key} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Read the metadata documents of a group (any that exist). */
export async function readGroupDocuments(store: Store, prefix: string): Promise<GroupDocuments> {
  const [zarrJson, zattrs, zgroup] = await Promise.all([
    readJson(store, joinKey(prefix, "zarr.json")),
    readJson(store, joinKey(prefix, ".zattrs")),
    readJson(store, joinKey(prefix, ".zgroup")),
  ]);
  return { zarrJson, zattrs, zgroup };
}

/** NGFF 0.5: Zarr v3, OME attributes under `zarr.json` → `attributes.ome`. */
export const ngff05: NgffFormat = {
  version: "0.5",
  zarrFormat: 3,
  matches(documents) {
    const attributes = documents.zarrJson?.attributes as Record<string, unknown> | undefined;
    return documents.zarrJson?.zarr_format === 3 && typeof attributes?.ome === "object";
  },
  omeAttributes(documents) {
    const attributes = documents.zarrJson?.attributes as Record<string, unknown>;
    return attributes.ome as Record<string, unknown>;
  },
  groupFiles(ome) {
    return [{
      file: "zarr.json",
      document: {
        zarr_format: 3,
        node_type: "group",
        attributes: { ome: { version: "0.5", ...ome } },
      },
    }];
  },
};

/** NGFF 0.4: Zarr v2, OME attributes at the top of `.zattrs`. */
export const ngff04: NgffFormat = {
  version: "0.4",
  zarrFormat: 2,
  matches(documents) {
    const attrs = documents.zattrs;
    if (!attrs || documents.zarrJson) return false;
    const multiscales = attrs.multiscales;
    if (!Array.isArray(multiscales)) return "plate" in attrs || "bioformats2raw.layout" in attrs;
    const first = multiscales[0] as Record<string, unknown> | undefined;
    const version = String(first?.version ?? attrs.version ?? "0.4");
    return version.startsWith("0.4");
  },
  omeAttributes(documents) {
    return documents.zattrs ?? {};
  },
  groupFiles(ome) {
    const withVersion = { ...ome };
    if (Array.isArray(withVersion.multiscales)) {
      withVersion.multiscales = withVersion.multiscales.map((m) => ({ version: "0.4", ...m }));
    }
    return [
      { file: ".zgroup", document: { zarr_format: 2 } },
      { file: ".zattrs", document: withVersion },
    ];
  },
};

/** The formats clemreg reads, newest first. */
export const ngffFormats: readonly NgffFormat[] = [ngff05, ngff04];

/** The format object of a version. */
export function ngffFormat(version: "0.4" | "0.5"): NgffFormat {
  return version === "0.5" ? ngff05 : ngff04;
}
