/**
 * A store on an S3-compatible object store at `s3://bucket/prefix`. Each write is one
 * PUT of the whole value, so an object (a chunk) is either absent or whole; listing
 * by prefix lets a resumed job skip chunks already written.
 * @module
 */
import { resolveS3Config, type S3Config, type S3Options } from "./s3_config.ts";
import { type S3Call, S3Requester, S3RequestError } from "./s3_request.ts";
import { parseErrorBody, parseListPage } from "./s3_xml.ts";
import type { RangeQuery, Store } from "./store.ts";

export { configureS3, type S3Credentials, type S3Options } from "./s3_config.ts";
export { S3RequestError } from "./s3_request.ts";

/**
 * A read-write store of objects below `s3://bucket/prefix`, signed with the standard
 * `AWS_*` credentials (or unsigned and read-only when there are none).
 * @example
 * ```ts ignore
 * const store = new S3Store("s3://em-data/run1.zarr", { endpoint: "http://127.0.0.1:9000" });
 * await store.set("/zarr.json", new TextEncoder().encode("{}"));
 * console.log(await store.list("/")); // ["/zarr.json"]
 * ```
 */
export class S3Store implements Store {
  readonly writable: boolean;
  readonly #config: S3Config;
  readonly #requests: S3Requester;

  /**
   * @param location `s3://bucket` or `s3://bucket/prefix`
   * @param options endpoint, region, path style, credentials, concurrency and retry settings
   * @throws {TypeError} when the location is not an `s3://` URL or an option is invalid
   */
  constructor(location: string, options: S3Options = {}) {
    this.#config = resolveS3Config(location, options);
    this.#requests = new S3Requester(this.#config);
    this.writable = this.#config.credentials !== undefined;
  }

  /** `s3://bucket/prefix` (never credentials). */
  get description(): string {
    const { bucket, prefix } = this.#config;
    return prefix.length > 0 ? `s3://${bucket}/${prefix}` : `s3://${bucket}`;
  }

  /** The bucket name. */
  get bucket(): string {
    return this.#config.bucket;
  }

  /** The full object key of a store key. */
  objectKey(key: string): string {
    const relative = key.split("/").filter((p) => p.length > 0).join("/");
    const { prefix } = this.#config;
    return prefix.length > 0 ? `${prefix}/${relative}` : relative;
  }

  async get(key: `/${string}`, options?: { signal?: AbortSignal }) {
    const call: S3Call = { method: "GET", objectKey: this.objectKey(key), signal: options?.signal };
    const answer = await this.#requests.send(call, (s) => s === 200 || s === 404);
    if (answer.status === 404) return this.#absent(call, answer.body);
    return answer.body;
  }

  async getRange(
    key: `/${string}`,
    range: RangeQuery,
    options?: { signal?: AbortSignal },
  ): Promise<Uint8Array | undefined> {
    const empty = "suffixLength" in range ? range.suffixLength <= 0 : range.length <= 0;
    if (empty) return (await this.get(key, options)) === undefined ? undefined : new Uint8Array(0);
    const header = "suffixLength" in range
      ? `bytes=-${range.suffixLength}`
      : `bytes=${range.offset}-${range.offset + range.length - 1}`;
    const call: S3Call = {
      method: "GET",
      objectKey: this.objectKey(key),
      headers: { range: header },
      signal: options?.signal,
    };
    const answer = await this.#requests.send(call, (s) => [200, 206, 404, 416].includes(s));
    if (answer.status === 404) return this.#absent(call, answer.body);
    if (answer.status === 416) return new Uint8Array(0);
    if (answer.status === 206) {
      if (!("suffixLength" in range)) return answer.body;
      // Some servers (s3rver) read "bytes=-N" as "bytes=0-N": check what came back.
      const sent = /bytes\s+(\d+)-(\d+)\/(\d+)/i.exec(answer.headers.get("content-range") ?? "");
      if (!sent) return answer.body;
      const [first, last, size] = [Number(sent[1]), Number(sent[2]), Number(sent[3])];
      const start = Math.max(0, size - range.suffixLength);
      if (first === start && last === size - 1) return answer.body;
      return await this.getRange(key, { offset: start, length: size - start }, options);
    }
    // The server ignored Range and sent the whole object: cut the part out here.
    const size = answer.body.length;
    if ("suffixLength" in range) {
      return answer.body.subarray(Math.max(0, size - range.suffixLength));
    }
    return answer.body.subarray(Math.min(size, range.offset), range.offset + range.length);
  }

  /** Write `value` at `key` with one PUT: the object is replaced whole or not at all. */
  async set(key: `/${string}`, value: Uint8Array): Promise<void> {
    this.#assertWritable("write", key);
    await this.#requests.send(
      {
        method: "PUT",
        objectKey: this.objectKey(key),
        body: value,
        headers: { "content-type": "application/octet-stream" },
      },
      (s) => s === 200 || s === 201 || s === 204,
    );
  }

  /** Remove the object at `key` (absent keys are fine). */
  async delete(key: `/${string}`): Promise<void> {
    this.#assertWritable("delete", key);
    await this.#requests.send(
      { method: "DELETE", objectKey: this.objectKey(key) },
      (s) => s === 200 || s === 204 || s === 404,
    );
  }

  /**
   * All keys at or below `prefix`, following continuation tokens (ListObjectsV2).
   * `list("/0")` finds `/0/zarr.json` and every chunk of level 0; it also matches
   * `/0x` — end the prefix with `/` to stay inside one folder.
   * @param prefix a store key prefix (default: the whole store)
   * @param options an abort signal; `pageSize`, the keys per request (S3 caps it at 1000)
   * @returns store keys (with a leading `/`) in lexicographic order
   */
  async list(
    prefix = "/",
    options?: { signal?: AbortSignal; pageSize?: number },
  ): Promise<`/${string}`[]> {
    const keepSlash = prefix.endsWith("/") && prefix.replace(/\/+/g, "").length > 0;
    const relative = prefix.split("/").filter((p) => p.length > 0).join("/");
    const root = this.#config.prefix.length > 0 ? `${this.#config.prefix}/` : "";
    const wanted = `${root}${relative}${keepSlash ? "/" : ""}`;
    const keys: `/${string}`[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, string> = { "list-type": "2", prefix: wanted };
      if (options?.pageSize !== undefined) query["max-keys"] = String(options.pageSize);
      if (token !== undefined) query["continuation-token"] = token;
      const call: S3Call = { method: "GET", objectKey: undefined, query, signal: options?.signal };
      const answer = await this.#requests.send(call, (s) => s === 200);
      let page;
      try {
        page = parseListPage(new TextDecoder().decode(answer.body));
      } catch (cause) {
        throw new S3RequestError(
          `S3 list of ${this.description} (prefix "${wanted}") failed: ${(cause as Error).message}`,
          { status: answer.status, cause },
        );
      }
      for (const objectKey of page.keys) {
        if (objectKey.startsWith(root)) keys.push(`/${objectKey.slice(root.length)}`);
      }
      if (page.isTruncated && page.nextContinuationToken === undefined) {
        throw new S3RequestError(
          `S3 list of ${this.description} failed: a truncated page has no continuation token`,
          { status: answer.status },
        );
      }
      token = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  /** 404 means an absent key, unless the bucket itself is missing. */
  #absent(call: S3Call, body: Uint8Array): undefined {
    const { code } = parseErrorBody(new TextDecoder().decode(body));
    if (code === "NoSuchBucket") {
      throw new S3RequestError(
        `S3 GET ${
          this.#requests.name(call)
        } failed: the bucket "${this.#config.bucket}" does not exist`,
        { status: 404, code },
      );
    }
    return undefined;
  }

  #assertWritable(action: string, key: string): void {
    if (!this.writable) {
      throw new S3RequestError(
        `Cannot ${action} s3://${this.#config.bucket}/${this.objectKey(key)}: ` +
          "no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        {},
      );
    }
  }
}
