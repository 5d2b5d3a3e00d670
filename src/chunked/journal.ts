/**
 * The resume journal: one JSON line per finished chunk in `<dir>/<opId>.jsonl`, appended
 * only after the chunk's atomic write returned. A rerun of the same op (same id) skips the
 * chunks listed and reuses their partials; a torn last line (process killed mid-append) is
 * ignored, so that chunk is simply recomputed.
 * @module
 */
import { join } from "node:path";
import type { Json, Partial } from "./types.ts";

/** Finished chunks of one op, and the way to record more. */
export interface Journal {
  /** Path of the journal file, or undefined for a journal kept only in memory. */
  readonly path: string | undefined;
  /** Finished chunks (linear index) and their partials (undefined when the op has none). */
  readonly done: Map<number, Partial>;
  /** Append one finished chunk; resolves once the line is written. */
  record(chunkLinear: number, chunkIndex: readonly number[], partial: Partial): Promise<void>;
  close(): Promise<void>;
}

/**
 * Open (or create) the journal of an op.
 * @param dir journal folder (created if missing); `undefined` keeps the journal in memory only
 * @param opId the op's id (see `opId()`)
 * @param description written once beside the journal as `<opId>.op.json`, for people
 * @returns the journal with the chunks already done
 */
export async function openJournal(
  dir: string | undefined,
  opId: string,
  description?: Json,
): Promise<Journal> {
  const done = new Map<number, Partial>();
  if (dir === undefined) {
    return {
      path: undefined,
      done,
      record(chunkLinear, _index, partial) {
        done.set(chunkLinear, partial);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  }
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `${opId}.jsonl`);
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    if (description !== undefined) {
      await Deno.writeTextFile(join(dir, `${opId}.op.json`), JSON.stringify(description, null, 2));
    }
  }
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as { c: number; p?: Json };
      if (typeof entry.c === "number") {
        done.set(entry.c, entry.p === undefined ? undefined : decodePartial(entry.p));
      }
    } catch {
      // A torn last line from a killed run: that chunk is recomputed.
    }
  }
  const file = await Deno.open(path, { append: true, create: true });
  const encoder = new TextEncoder();
  let queue = Promise.resolve();
  // A line must start on a fresh line even after a torn write.
  let needsNewline = text.length > 0 && !text.endsWith("\n");
  return {
    path,
    done,
    record(chunkLinear, chunkIndex, partial) {
      const entry: Record<string, Json> = { c: chunkLinear, i: [...chunkIndex] };
      if (partial !== undefined) entry.p = encodePartial(partial);
      const line = (needsNewline ? "\n" : "") + JSON.stringify(entry) + "\n";
      needsNewline = false;
      queue = queue.then(async () => {
        const bytes = encoder.encode(line);
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
        bytes.buffer.transfer(0); // freed now, not at the next major collection
        done.set(chunkLinear, partial);
      });
      return queue;
    },
    async close() {
      await queue.catch(() => {});
      file.close();
    },
  };
}

const typedNames = [
  "Uint8Array",
  "Int8Array",
  "Uint16Array",
  "Int16Array",
  "Uint32Array",
  "Int32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
] as const;

/**
 * Encode a partial as JSON: typed arrays become `{ $typed: "Float64Array", base64: "…" }`.
 * @param value a partial (JSON values, typed arrays, arrays and plain objects of them)
 * @returns JSON
 */
export function encodePartial(value: Partial): Json {
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return { $typed: value.constructor.name, base64: bytesToBase64(bytes) };
  }
  if (Array.isArray(value)) return value.map(encodePartial);
  if (value !== null && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [key, item] of Object.entries(value)) out[key] = encodePartial(item);
    return out;
  }
  if (value === undefined) return null;
  return value as Json;
}

/**
 * Inverse of {@link encodePartial}.
 * @param value JSON from the journal
 * @returns the partial with its typed arrays rebuilt
 */
export function decodePartial(value: Json): Partial {
  if (Array.isArray(value)) return value.map(decodePartial);
  if (value !== null && typeof value === "object") {
    const typed = value.$typed;
    if (typeof typed === "string" && typeof value.base64 === "string") {
      const name = typedNames.find((n) => n === typed);
      if (!name) throw new TypeError(`Unknown typed array "${typed}" in the journal`);
      const bytes = base64ToBytes(value.base64);
      return new globalThis[name](bytes.buffer);
    }
    const out: Record<string, Partial> = {};
    for (const [key, item] of Object.entries(value)) out[key] = decodePartial(item);
    return out;
  }
  return value;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
