/**
 * Settings of an S3 store: the endpoint, region and addressing style from options
 * or the standard `AWS_*` environment variables, and the URL of an object.
 * Credentials are kept out of every string this module builds.
 * @module
 */

/** Static credentials for signing (the standard `AWS_*` variables by default). */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Options of an S3 store; every field is optional. */
export interface S3Options {
  /** Endpoint URL such as `http://127.0.0.1:9000` (default `AWS_ENDPOINT_URL`, else AWS). */
  endpoint?: string;
  /** Signing region (default `AWS_REGION`, `AWS_DEFAULT_REGION`, then `us-east-1`). */
  region?: string;
  /** Address buckets as `endpoint/bucket/key` (default: true when an endpoint is given). */
  forcePathStyle?: boolean;
  /** Credentials (default from the environment; none means unsigned, read-only requests). */
  credentials?: S3Credentials;
  /** Most requests in flight at once per store (default 16). */
  maxConcurrency?: number;
  /** Tries per request, including the first (default 6). */
  attempts?: number;
  /** Limit of one try, body included, in milliseconds (default 30000). */
  timeoutMs?: number;
  /** First backoff ceiling in milliseconds; doubles per retry (default 100). */
  baseDelayMs?: number;
  /** Largest backoff ceiling in milliseconds (default 10000). */
  maxDelayMs?: number;
  /** The fetch to use (tests inject faults through it; default the global fetch). */
  fetch?: (request: Request) => Promise<Response>;
}

/** Options with every default applied. */
export interface S3Config {
  bucket: string;
  /** Key prefix of the store's root, without leading or trailing slash ("" for the bucket root). */
  prefix: string;
  endpoint: URL;
  region: string;
  forcePathStyle: boolean;
  credentials: S3Credentials | undefined;
  maxConcurrency: number;
  attempts: number;
  timeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  fetch: (request: Request) => Promise<Response>;
}

let processDefaults: S3Options = {};

/**
 * Set the options every S3 store of this process starts from (explicit options of
 * one store still win). Lets a pipeline config reach stores opened by `openImage`.
 * @param options endpoint, region, path style, concurrency and retry settings
 */
export function configureS3(options: S3Options): void {
  processDefaults = { ...options };
}

/** Read an environment variable; undefined when unset or when env access is not granted. */
function env(name: string): string | undefined {
  try {
    const value = Deno.env.get(name);
    return value === undefined || value.length === 0 ? undefined : value;
  } catch {
    return undefined;
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`S3 option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`S3 option ${name} must be a non-negative number, got ${value}`);
  }
  return value;
}

/**
 * Resolve an `s3://bucket/prefix` location and options into a complete configuration.
 * @param location `s3://bucket` or `s3://bucket/some/prefix`
 * @param options explicit settings; missing ones come from the environment or defaults
 * @returns the configuration (credentials included, so never print it whole)
 * @throws {TypeError} when the location is not a valid `s3://` URL
 */
export function resolveS3Config(location: string, explicit: S3Options = {}): S3Config {
  const options: S3Options = { ...processDefaults, ...explicit };
  const match = /^s3:\/\/([^/?#]+)\/*([^?#]*)$/i.exec(location);
  if (!match || !/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(match[1]!)) {
    throw new TypeError(`Cannot open "${location}": expected s3://bucket or s3://bucket/prefix`);
  }
  const bucket = match[1]!;
  const prefix = match[2]!.split("/").filter((p) => p.length > 0).join("/");
  const region = options.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? "us-east-1";
  const endpointText = options.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL");
  let endpoint: URL;
  try {
    endpoint = new URL(endpointText ?? `https://s3.${region}.amazonaws.com`);
  } catch (cause) {
    throw new TypeError(`S3 endpoint "${endpointText}" is not a valid URL`, { cause });
  }
  // Virtual-hosted names cannot hold dots under TLS wildcard certificates.
  const forcePathStyle = options.forcePathStyle ?? (endpointText !== undefined ||
    bucket.includes("."));
  let credentials = options.credentials;
  if (!credentials) {
    const accessKeyId = env("AWS_ACCESS_KEY_ID");
    const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
    const sessionToken = env("AWS_SESSION_TOKEN");
    if (accessKeyId && secretAccessKey) {
      credentials = sessionToken
        ? { accessKeyId, secretAccessKey, sessionToken }
        : { accessKeyId, secretAccessKey };
    }
  }
  return {
    bucket,
    prefix,
    endpoint,
    region,
    forcePathStyle,
    credentials,
    maxConcurrency: positiveInteger("maxConcurrency", options.maxConcurrency, 16),
    attempts: positiveInteger("attempts", options.attempts, 6),
    timeoutMs: nonNegative("timeoutMs", options.timeoutMs, 30_000),
    baseDelayMs: nonNegative("baseDelayMs", options.baseDelayMs, 100),
    maxDelayMs: nonNegative("maxDelayMs", options.maxDelayMs, 10_000),
    fetch: options.fetch ?? ((request) => fetch(request)),
  };
}

/** Percent-encode a key segment the way SigV4 canonicalises S3 paths (RFC 3986). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The URL of an object, or of the bucket itself when `objectKey` is undefined.
 * @param config the store's configuration
 * @param objectKey the full object key (prefix included), without a leading slash
 */
export function objectUrl(config: S3Config, objectKey: string | undefined): URL {
  const url = new URL(config.endpoint.href);
  const base = url.pathname.replace(/\/+$/, "");
  const keyPath = objectKey === undefined ? "" : objectKey.split("/").map(encodeSegment).join("/");
  if (config.forcePathStyle) {
    url.pathname = objectKey === undefined
      ? `${base}/${config.bucket}`
      : `${base}/${config.bucket}/${keyPath}`;
  } else {
    url.hostname = `${config.bucket}.${url.hostname}`;
    url.pathname = `${base}/${keyPath}`;
  }
  return url;
}
