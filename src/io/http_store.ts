/**
 * A read-only store over HTTP(S), with Range requests for sharded arrays.
 * @module
 */
import { FetchStore } from "zarrita";
import type { RangeQuery, Store } from "./store.ts";

/** Reads keys below a base URL; absent keys (404/403) read as `undefined`. */
export class HttpStore implements Store {
  readonly writable = false;
  readonly #inner: FetchStore;
  readonly #url: string;

  /** @param url the base URL of the store */
  constructor(url: string) {
    this.#url = url.replace(/\/+$/, "");
    this.#inner = new FetchStore(this.#url);
  }

  get description(): string {
    return this.#url;
  }

  get(key: `/${string}`, options?: { signal?: AbortSignal }) {
    return this.#inner.get(key, options?.signal ? { signal: options.signal } : {});
  }

  getRange(key: `/${string}`, range: RangeQuery, options?: { signal?: AbortSignal }) {
    return this.#inner.getRange(key, range, options?.signal ? { signal: options.signal } : {});
  }
}
