/**
 * Assertions for tests, over `node:assert/strict` (JSR's std is unreachable here).
 * @module
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  if (message === undefined) assert.deepStrictEqual(actual, expected);
  else assert.deepStrictEqual(actual, expected, message);
}

/** Truthiness. */
export function assert_(condition: unknown, message?: string): asserts condition {
  if (message === undefined) assert.ok(condition);
  else assert.ok(condition, message);
}

/** `fn` throws an instance of `ErrorClass`. */
export function assertThrows(fn: () => unknown, ErrorClass: new (...args: never[]) => Error): void {
  assert.throws(fn, ErrorClass as unknown as assert.AssertPredicate);
}

/** `promise` rejects; returns the error. */
export async function assertRejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: "Expected the promise to reject" });
}
