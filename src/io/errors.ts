/**
 * The one error type callers of the I/O layer are expected to catch: it names the
 * location and the problem in one sentence, and keeps the original error as `cause`.
 * @module
 */

/** What went wrong, as a tag callers can switch on. */
export type OmeZarrErrorKind =
  | "not-found"
  | "not-an-image"
  | "invalid-metadata"
  | "unsupported"
  | "read-failed"
  | "incomplete"
  | "write-failed";

/** An OME-Zarr location could not be opened, read or written. */
export class OmeZarrError extends Error {
  /** What went wrong. */
  readonly kind: OmeZarrErrorKind;
  /** The path or URL concerned. */
  readonly location: string;

  /**
   * @param kind what went wrong
   * @param location the path or URL concerned
   * @param message one sentence naming the problem (the location is prefixed)
   * @param options the original error as `cause`, if any
   */
  constructor(
    kind: OmeZarrErrorKind,
    location: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${location}: ${message}`, options);
    this.name = "OmeZarrError";
    this.kind = kind;
    this.location = location;
  }
}
