/**
 * Errors cross thread (and later machine) boundaries as plain objects: name, message,
 * stack and the `cause` chain survive, and come back as real `Error`s.
 * @module
 */

/** An error as plain data. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
}

/**
 * Turn a thrown value into plain data (cause chain kept, up to 8 levels).
 * @param error anything thrown
 * @returns its serialisable description
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack !== undefined ? { stack: error.stack } : {}),
      ...(error.cause !== undefined && depth < 8
        ? { cause: serializeError(error.cause, depth + 1) }
        : {}),
    };
  }
  return { name: "Error", message: String(error) };
}

/**
 * Rebuild an `Error` from {@link serializeError}'s data; the original stack replaces the new one.
 * @param data the serialised error
 * @returns a real `Error` (a `TypeError`/`RangeError` when the name says so)
 */
export function deserializeError(data: SerializedError): Error {
  const Ctor = data.name === "TypeError"
    ? TypeError
    : data.name === "RangeError"
    ? RangeError
    : Error;
  const error = data.cause
    ? new Ctor(data.message, { cause: deserializeError(data.cause) })
    : new Ctor(data.message);
  if (error.name !== data.name) error.name = data.name;
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}
